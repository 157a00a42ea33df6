package io.github.pgs.console;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A headless Chromium driven through chromedriver, for the console's browser tests: no network, a fresh profile,
 * and a screenshot of each step under {@code target/}. Chromium and chromedriver are found through the system
 * properties {@code pgs.chromium} and {@code pgs.chromedriver}, else at the Debian packages' paths, else on the
 * PATH; a missing one fails the test with the command that installs it (never a silent skip).
 */
public final class Browser implements AutoCloseable {

    /** How long a step waits for the page. */
    public static final Duration WAIT = Duration.ofSeconds(15);
    /** How often a waiting step looks again. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final ChromeDriver driver;
    private final Path profile;
    private final Path shots;

    public Browser(Path screenshots) {
        String chromium = find("pgs.chromium", "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome");
        String chromedriver = find("pgs.chromedriver", "/usr/bin/chromedriver", "chromedriver");
        try {
            profile = Files.createTempDirectory("pgs-chromium-");
            shots = Files.createDirectories(screenshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,1100",
                "--force-device-scale-factor=1", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
    }

    private static String find(String property, String debianPath, String... names) {
        String given = System.getProperty(property, "");
        if (!given.isBlank()) {
            return given;
        }
        if (Files.isExecutable(Path.of(debianPath))) {
            return debianPath;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String n : names) {
                Path p = Path.of(dir, n);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        throw new IllegalStateException("the browser tests need Chromium and chromedriver: apt-get install -y "
                + "chromium chromium-driver (.ci/run installs them), or set -D" + property + "=PATH");
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /**
     * Waits until {@code condition} holds (a non-null, non-false value), up to {@link #WAIT}. The console redraws
     * its tables and legend on every poll, so an element found in one step may be replaced before the next reads
     * it: a stale element counts as "not yet" and the condition is tried again.
     */
    public <T> T await(ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, WAIT, POLL).ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** The text of the element at {@code css}, read again if the page redraws it between finding and reading. */
    public String text(String css) {
        return await(d -> d.findElement(By.cssSelector(css)).getText());
    }

    /** Waits until the element at {@code css} is displayed, and returns it. */
    public WebElement visible(String css) {
        return await(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
        });
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Saves a screenshot of the window as {@code NAME.png} under the screenshot folder, and returns its path. */
    public Path screenshot(String name) {
        File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path target = shots.resolve(name + ".png");
        try {
            Files.copy(f.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
