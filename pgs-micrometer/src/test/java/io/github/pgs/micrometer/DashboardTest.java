package io.github.pgs.micrometer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example Grafana dashboard is valid JSON and every metric and label its queries use is one that
 * pgs-micrometer publishes, as Prometheus names it (checked on a real scrape).
 */
class DashboardTest {

    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "pgs-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\bpgs_[a-z0-9_]+");
    private static final Pattern BY = Pattern.compile("\\bby \\(([^)]*)\\)");
    private static final Set<String> TAGS = Set.of(PgsInstruments.TYPE, PgsInstruments.MESSAGE, PgsInstruments.KIND,
            PgsInstruments.OUTCOME, PgsInstruments.ERROR, PgsInstruments.STORE_TAG, PgsInstruments.OPERATION,
            PgsInstruments.CAUSE, PgsInstruments.REASON, PgsInstruments.EXCEPTION);

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(Files.readString(DASHBOARD));
    }

    private static void collect(JsonNode node, String field, List<String> out) {
        if (node.isObject()) {
            for (var e : node.properties()) {
                if (e.getKey().equals(field) && e.getValue().isString()) {
                    out.add(e.getValue().asString());
                } else {
                    collect(e.getValue(), field, out);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                collect(n, field, out);
            }
        }
    }

    private static String scrape() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        prometheus.config().meterFilter(PgsMeterFilters.histograms());
        try (SyntheticRuntime rt = new SyntheticRuntime(MicrometerObserver.of(prometheus))) {
            Workload.run(rt);
        }
        return prometheus.scrape();
    }

    @Test
    void dashboard_isAGrafanaDashboardWithQueries() throws IOException {
        JsonNode d = dashboard();
        assertThat(d.get("title").asString()).isNotBlank();
        assertThat(d.get("uid").asString()).isNotBlank();
        Set<Integer> ids = new HashSet<>();
        int queries = 0;
        for (JsonNode panel : d.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique").isTrue();
            if (!panel.get("type").asString().equals("row")) {
                assertThat(panel.get("targets")).as(panel.get("title").asString()).isNotEmpty();
                queries += panel.get("targets").size();
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(20);
    }

    @Test
    void everyMetricTheDashboardQueries_isPublished() throws IOException {
        List<String> exprs = new ArrayList<>();
        collect(dashboard(), "expr", exprs);
        collect(dashboard(), "definition", exprs);
        Set<String> metrics = new TreeSet<>();
        for (String e : exprs) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                metrics.add(m.group());
            }
        }
        assertThat(metrics).hasSizeGreaterThanOrEqualTo(20);

        String scrape = scrape();
        Set<String> published = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int end = line.indexOf('{');
                published.add(end < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, end));
            }
        }
        assertThat(published).containsAll(metrics);
    }

    @Test
    void everyLabelTheDashboardGroupsBy_isATagOfOurs() throws IOException {
        List<String> exprs = new ArrayList<>();
        collect(dashboard(), "expr", exprs);
        for (String e : exprs) {
            Matcher m = BY.matcher(e);
            while (m.find()) {
                for (String label : m.group(1).split(",")) {
                    String l = label.strip();
                    assertThat(l.equals("le") || TAGS.contains(l)).as(l + " in " + e).isTrue();
                }
            }
        }
    }
}
