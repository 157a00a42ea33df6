package io.github.pgs.spring.console;

import io.github.pgs.ServerRuntime;
import io.github.pgs.admin.Admin;
import io.github.pgs.console.Console;
import io.github.pgs.spring.PgsAutoConfiguration;
import io.github.pgs.spring.PgsConfigurationException;
import io.github.pgs.spring.PgsProperties;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

import java.util.Map;
import java.util.function.Function;

/**
 * Serves the admin console under {@code pgs.console.path} when {@code pgs.console.enabled=true}, read-only unless
 * {@code pgs.console.read-only=false}. The path is an ordinary servlet mapping, so the application's security
 * applies to it like to any other URL; secure it before enabling actions.
 */
@AutoConfiguration(after = PgsAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "jakarta.servlet.http.HttpServlet")
@ConditionalOnBean(ServerRuntime.class)
@ConditionalOnProperty(prefix = "pgs.console", name = "enabled", havingValue = "true")
public class PgsConsoleAutoConfiguration {

    private static final System.Logger LOG = System.getLogger(PgsConsoleAutoConfiguration.class.getName());
    private static final boolean SPRING_SECURITY = ClassUtils.isPresent(
            "org.springframework.security.web.csrf.CsrfToken", PgsConsoleAutoConfiguration.class.getClassLoader());

    @Bean
    public ServletRegistrationBean<PgsConsoleServlet> pgsConsole(PgsProperties properties, Admin admin,
                                                                 Environment env) {
        PgsProperties.Console c = properties.getConsole();
        String path = c.getPath();
        if (path == null || !path.startsWith("/") || path.length() < 2 || path.endsWith("/") || path.contains("*")) {
            throw new PgsConfigurationException("pgs.console.path must be a path like /pgs-console (a leading "
                    + "slash, no trailing slash, no wildcard).", "Fix pgs.console.path.");
        }
        String title = c.getTitle() != null ? c.getTitle()
                : env.getProperty("spring.application.name", "PersistentGenServer");
        Console console = Console.builder(admin).readOnly(c.isReadOnly()).title(title).build();
        if (!c.isReadOnly() && !SPRING_SECURITY) {
            LOG.log(System.Logger.Level.WARNING, "the pgs console at " + path + " accepts actions and the "
                    + "application has no Spring Security: protect " + path + "/** before exposing it");
        }
        Function<HttpServletRequest, Map<String, String>> headers = SPRING_SECURITY ? SecurityCsrf::headers
                : req -> Map.of();
        ServletRegistrationBean<PgsConsoleServlet> bean = new ServletRegistrationBean<>(
                new PgsConsoleServlet(console, headers), path + "/*");
        bean.setName("pgsConsole");
        return bean;
    }

    /** Read only when Spring Security is on the class path. */
    static final class SecurityCsrf {
        static Map<String, String> headers(HttpServletRequest req) {
            if (req.getAttribute(org.springframework.security.web.csrf.CsrfToken.class.getName())
                    instanceof org.springframework.security.web.csrf.CsrfToken t) {
                return Map.of(t.getHeaderName(), t.getToken());
            }
            return Map.of();
        }
    }
}
