package io.github.pgs.spring;

import io.github.pgs.LifecyclePolicy;
import io.github.pgs.QuarantineAction;
import io.github.pgs.TypeOptions;
import io.github.pgs.WriteMode;

import java.time.Duration;

/**
 * Type options as properties: {@code pgs.defaults.*} for every type, {@code pgs.types.NAME.*} for one. Each option
 * left unset keeps the value it is applied over ({@link TypeOptions#DEFAULTS} for {@code pgs.defaults}, the
 * defaults' result for a type), so a type names only what differs. See {@link TypeOptions} for the meanings.
 */
public class TypeProperties {

    /** Time without messages after which a server petrifies (default 60s; a very long one never petrifies). */
    private Duration idleTimeout;
    /** How long call, callAsync, stop and start wait (default 5s). */
    private Duration callTimeout;
    /** Messages waiting for one server before senders are refused (default 10000). */
    private Integer mailboxCapacity;
    /** What stops wipe: temporary, transient or permanent (default transient). */
    private LifecyclePolicy lifecycle;
    /** When changed state is written: write-through, write-behind or on-petrify (default write-through). */
    private WriteMode writeMode;
    /** For write-behind: the longest a change stays unwritten (default 1s). */
    private Duration writeBehindDelay;
    /** Largest encoded state in bytes (default 1 MiB). */
    private Integer maxStateBytes;
    /** Crashes allowed within restart-window before the server is quarantined (default 3). */
    private Integer maxRestarts;
    /** The restart-intensity window (default 5s). */
    private Duration restartWindow;
    /** Schema version of the state written by this code (default 1). */
    private Integer schemaVersion;
    /** Replaced states the store keeps per server, for rollback (default 0). */
    private Integer historyDepth;
    /** What happens past the restart intensity: wait-for-operator, rollback or reset (default wait-for-operator). */
    private QuarantineAction onQuarantine;
    /** Revive the servers that were active when the last runtime on the store stopped (default false). */
    private Boolean rememberActive;
    /** Delete stored states not written for this long (default: keep). */
    private Duration ttl;

    /**
     * {@code base} with every option set here replaced.
     *
     * @throws IllegalArgumentException if the result is not valid options (the message names the option)
     */
    public TypeOptions applyTo(TypeOptions base) {
        TypeOptions.Builder b = base.toBuilder();
        if (idleTimeout != null) b.idleTimeout(idleTimeout);
        if (callTimeout != null) b.callTimeout(callTimeout);
        if (mailboxCapacity != null) b.mailboxCapacity(mailboxCapacity);
        if (lifecycle != null) b.lifecycle(lifecycle);
        if (writeMode != null) b.writeMode(writeMode);
        if (writeBehindDelay != null) b.writeBehindDelay(writeBehindDelay);
        if (maxStateBytes != null) b.maxStateBytes(maxStateBytes);
        if (maxRestarts != null || restartWindow != null) {
            b.restartIntensity(maxRestarts != null ? maxRestarts : base.maxRestarts(),
                    restartWindow != null ? restartWindow : base.restartWindow());
        }
        if (schemaVersion != null) b.schemaVersion(schemaVersion);
        if (historyDepth != null) b.historyDepth(historyDepth);
        if (onQuarantine != null) b.onQuarantine(onQuarantine);
        if (rememberActive != null) b.rememberActive(rememberActive);
        if (ttl != null) b.ttl(ttl);
        return b.build();
    }

    public Duration getIdleTimeout() { return idleTimeout; }
    public void setIdleTimeout(Duration v) { idleTimeout = v; }
    public Duration getCallTimeout() { return callTimeout; }
    public void setCallTimeout(Duration v) { callTimeout = v; }
    public Integer getMailboxCapacity() { return mailboxCapacity; }
    public void setMailboxCapacity(Integer v) { mailboxCapacity = v; }
    public LifecyclePolicy getLifecycle() { return lifecycle; }
    public void setLifecycle(LifecyclePolicy v) { lifecycle = v; }
    public WriteMode getWriteMode() { return writeMode; }
    public void setWriteMode(WriteMode v) { writeMode = v; }
    public Duration getWriteBehindDelay() { return writeBehindDelay; }
    public void setWriteBehindDelay(Duration v) { writeBehindDelay = v; }
    public Integer getMaxStateBytes() { return maxStateBytes; }
    public void setMaxStateBytes(Integer v) { maxStateBytes = v; }
    public Integer getMaxRestarts() { return maxRestarts; }
    public void setMaxRestarts(Integer v) { maxRestarts = v; }
    public Duration getRestartWindow() { return restartWindow; }
    public void setRestartWindow(Duration v) { restartWindow = v; }
    public Integer getSchemaVersion() { return schemaVersion; }
    public void setSchemaVersion(Integer v) { schemaVersion = v; }
    public Integer getHistoryDepth() { return historyDepth; }
    public void setHistoryDepth(Integer v) { historyDepth = v; }
    public QuarantineAction getOnQuarantine() { return onQuarantine; }
    public void setOnQuarantine(QuarantineAction v) { onQuarantine = v; }
    public Boolean getRememberActive() { return rememberActive; }
    public void setRememberActive(Boolean v) { rememberActive = v; }
    public Duration getTtl() { return ttl; }
    public void setTtl(Duration v) { ttl = v; }
}
