package io.github.pgs.console;

import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test helper against a page that replaces its element every 100 ms, where the console's poll redraws every two
 * seconds: reading an element's text never fails on an element the page has just replaced.
 */
class BrowserHelperTest {

    @Test
    void textAndAwait_readThroughAPageThatRedrawsConstantly() {
        try (Browser browser = new Browser(Path.of("target", "console-screenshots"))) {
            String page = "<html><body><div id='box'></div><script>"
                    + "let n = 0;"
                    + "function draw() { const s = document.createElement('span');"
                    + "  s.id = 'x'; s.textContent = 'v' + (++n);"
                    + "  document.getElementById('box').replaceChildren(s); }"
                    + "draw(); setInterval(draw, 100);"
                    + "</script></body></html>";
            browser.open("data:text/html;charset=utf-8,"
                    + URLEncoder.encode(page, StandardCharsets.UTF_8).replace("+", "%20"));

            for (int i = 0; i < 100; i++) {
                assertThat(browser.text("#x")).startsWith("v");
            }
            int seen = Integer.parseInt(browser.text("#x").substring(1));
            browser.await(d -> Integer.parseInt(browser.find("#x").getText().substring(1)) > seen + 10);
        }
    }
}
