package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.CodecException;
import io.github.pgs.GenServerException;
import io.github.pgs.InitRejectedException;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.MailboxFullException;
import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerStoppedException;
import io.github.pgs.StateTooLargeException;
import io.github.pgs.StopReason;
import io.github.pgs.UnknownServerTypeException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.cluster.pekko.RemoteCause;
import io.github.pgs.cluster.pekko.RemoteFailureException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorsTest {

    static final ServerId ID = new ServerId("player", "Vorpal");

    private static GenServerException across(Throwable t) {
        return Errors.fromWire(Errors.toWire(ID, t));
    }

    @Test
    void libraryExceptions_arriveAsTheSameClass_withTheirFieldsAndMessage() {
        VersionConflictException v = (VersionConflictException) across(new VersionConflictException(ID, 4, 9));
        assertThat(v.serverId()).isEqualTo(ID);
        assertThat(v.expectedVersion()).isEqualTo(4);
        assertThat(v.actualVersion()).isEqualTo(9);
        assertThat(v.getMessage()).isEqualTo(new VersionConflictException(ID, 4, 9).getMessage());

        assertThat(((MailboxFullException) across(new MailboxFullException(ID, 10))).capacity()).isEqualTo(10);
        assertThat(((CallTimeoutException) across(new CallTimeoutException(ID, Duration.ofMillis(750)))).timeout())
                .isEqualTo(Duration.ofMillis(750));
        StateTooLargeException big = (StateTooLargeException) across(new StateTooLargeException(ID, 9, 8));
        assertThat(big.size()).isEqualTo(9);
        assertThat(big.limit()).isEqualTo(8);
        KeyTooLongException key = (KeyTooLongException) across(new KeyTooLongException("player", 2000, 1024));
        assertThat(key.getMessage()).isEqualTo(new KeyTooLongException("player", 2000, 1024).getMessage());
        assertThat(((UnknownServerTypeException) across(new UnknownServerTypeException("ghost"))).typeName())
                .isEqualTo("ghost");
        ServerStoppedException stopped = (ServerStoppedException) across(
                new ServerStoppedException(ID, StopReason.error("gone")));
        assertThat(stopped.reason()).isEqualTo(StopReason.error("gone"));
        assertThat(((InitRejectedException) across(new InitRejectedException(ID, null))).ignored()).isTrue();
        assertThat(((InitRejectedException) across(new InitRejectedException(ID, StopReason.error("no"))))
                .reason().detail()).isEqualTo("no");
        assertThat(((QuarantinedException) across(new QuarantinedException(ID, "boom", null))).lastFailure())
                .isEqualTo("boom");
    }

    @Test
    void causes_crossAsClassNameAndMessage() {
        ServerCrashedException c = (ServerCrashedException) across(
                new CompletionException(new ServerCrashedException(ID, new IllegalStateException("bad move"))));
        assertThat(c.getCause()).isInstanceOf(RemoteCause.class).hasMessage("java.lang.IllegalStateException: bad move");
        assertThat(((RemoteCause) c.getCause()).className()).isEqualTo("java.lang.IllegalStateException");
        PersistenceException p = (PersistenceException) across(new PersistenceException(ID, new RuntimeException()));
        assertThat(((RemoteCause) p.getCause()).className()).isEqualTo("java.lang.RuntimeException");
        CodecException codec = (CodecException) across(new CodecException(ID, "cannot decode", null));
        assertThat(codec.getMessage()).isEqualTo(ID + ": cannot decode");
        // twice across still says the same
        ServerCrashedException twice = (ServerCrashedException) across(c);
        assertThat(twice.getCause()).hasMessage("java.lang.IllegalStateException: bad move");
    }

    @Test
    void foreignExceptions_becomeRemoteFailure_naming_theirClass() {
        GenServerException e = across(new java.io.UncheckedIOException("disk", new java.io.IOException("x")));
        assertThat(e).isInstanceOf(RemoteFailureException.class);
        assertThat(e.serverId()).isEqualTo(ID);
        assertThat(((RemoteFailureException) e).remoteClassName()).isEqualTo("java.io.UncheckedIOException");
    }

    @Test
    void unknownKind_fromANewerPeer_isStillAGenServerException() {
        GenServerException e = Errors.fromWire(new RemoteError("from-the-future", ID.toString(), "what", 0, 0, ""));
        assertThat(e.getClass()).isEqualTo(GenServerException.class);
        assertThat(e.getMessage()).isEqualTo(ID + ": what");
    }
}
