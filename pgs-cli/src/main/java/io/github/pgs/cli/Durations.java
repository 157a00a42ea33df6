package io.github.pgs.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Ages on the command line: ISO-8601 ({@code P30D}, {@code PT12H}) or numbers with units ({@code 30d}, {@code 1d12h}). */
final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d{1,9})([dhms])");
    private static final Pattern SHORT = Pattern.compile("(\\d{1,9}[dhms])+");

    private Durations() {
    }

    /**
     * Parses {@code text} as a positive duration.
     *
     * @throws UsageException if it is neither form, or not positive
     */
    static Duration parse(String text) {
        Duration d;
        if (SHORT.matcher(text).matches()) {
            d = Duration.ZERO;
            Matcher m = PART.matcher(text);
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                });
            }
        } else {
            try {
                d = Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw new UsageException("not a duration: '" + text + "' (use e.g. 30d, 12h, 15m, 1d12h or P30D)");
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new UsageException("the age must be positive: '" + text + "'");
        }
        return d;
    }

    /** A short, human form: the largest non-zero unit and the next one if non-zero, e.g. {@code 3d 4h}, {@code 0s}. */
    static String describe(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long[] amounts = {s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < amounts.length; i++) {
            if (amounts[i] > 0) {
                String first = amounts[i] + units[i];
                return i + 1 < amounts.length && amounts[i + 1] > 0 ? first + " " + amounts[i + 1] + units[i + 1] : first;
            }
        }
        return "0s";
    }
}
