package io.github.pgs.spring.console;

import io.github.pgs.console.Console;
import io.github.pgs.console.ConsoleRequest;
import io.github.pgs.console.ConsoleResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Hosts the admin {@link Console} in the application's servlet container, under {@code pgs.console.path}. Every
 * request passes through the application's filters first, Spring Security's included: the console adds no
 * authentication of its own here. When the application's security issues CSRF tokens, the page is told to send
 * that token with its actions too, beside the console's own.
 */
public class PgsConsoleServlet extends HttpServlet {

    private final transient Console console;
    private final transient Function<HttpServletRequest, Map<String, String>> writeHeaders;

    /**
     * @param writeHeaders the headers the page's actions must carry for the application's security (e.g. its CSRF
     *                     header and token), read from each request for the page
     */
    public PgsConsoleServlet(Console console, Function<HttpServletRequest, Map<String, String>> writeHeaders) {
        this.console = console;
        this.writeHeaders = writeHeaders;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (path.isEmpty()) {
            // relative links of the page (console.js, api/...) need the trailing slash
            resp.sendRedirect(req.getRequestURI() + "/");
            return;
        }
        ConsoleResponse r;
        if (path.equals("/") && req.getMethod().equals("GET")) {
            r = console.page(writeHeaders.apply(req));
        } else {
            Map<String, String> params = new LinkedHashMap<>();
            req.getParameterMap().forEach((k, v) -> {
                if (v.length > 0) {
                    params.put(k, v[0]);
                }
            });
            r = console.handle(new ConsoleRequest(req.getMethod(), path, params, req::getHeader));
        }
        resp.setStatus(r.status());
        resp.setContentType(r.contentType());
        r.headers().forEach(resp::setHeader);
        resp.setContentLength(r.body().length);
        if (!req.getMethod().equals("HEAD")) {
            resp.getOutputStream().write(r.body());
        }
    }
}
