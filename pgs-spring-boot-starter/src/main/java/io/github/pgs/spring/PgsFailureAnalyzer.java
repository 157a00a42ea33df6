package io.github.pgs.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link PgsConfigurationException} into Spring Boot's "APPLICATION FAILED TO START" report. */
public class PgsFailureAnalyzer extends AbstractFailureAnalyzer<PgsConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PgsConfigurationException cause) {
        return new FailureAnalysis("PersistentGenServer: " + cause.getMessage(), cause.action(), cause);
    }
}
