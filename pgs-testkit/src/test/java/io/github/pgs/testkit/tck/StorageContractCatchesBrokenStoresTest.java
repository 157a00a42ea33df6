package io.github.pgs.testkit.tck;

import io.github.pgs.spi.Storage;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.ThrowingConsumer;

import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Each case of the conformance suite fails on a store that breaks the clause it checks (and passes on the
 * in-memory store, see {@link InMemoryStorageContractTest}).
 */
class StorageContractCatchesBrokenStoresTest {

    @TestFactory
    Stream<DynamicTest> contractCase_failsOnAStoreThatBreaksItsClause() {
        return Stream.of(
                caught("stale delete", BrokenStores::deleteIgnoringVersion,
                        StorageContract::delete_withStaleVersion_isRejectedAndChangesNothing),
                caught("too-new delete", BrokenStores::deleteIgnoringVersion,
                        StorageContract::delete_withTooNewVersion_isRejectedAndChangesNothing),
                caught("stale delete of a tombstone", BrokenStores::deleteIgnoringVersion,
                        StorageContract::delete_ofTombstone_withStaleVersion_isRejected),
                caught("resurrected tombstone", BrokenStores::saveResurrectingTombstones,
                        StorageContract::save_afterTombstone_withStaleVersion_cannotResurrectTheState),
                caught("conflict without actual version", BrokenStores::conflictWithoutActualVersion,
                        StorageContract::save_withStaleVersion_isRejectedWithBothVersionsAndChangesNothing),
                caught("UTF-16 order", BrokenStores::listInUtf16Order,
                        StorageContract::list_ordersKeysByTheirUtf8Bytes),
                caught("UTF-16 order of hostile keys", BrokenStores::listInUtf16Order,
                        StorageContract::hostileKeys_areSavedLoadedAndListedExactly),
                caught("listed tombstones", BrokenStores::listIncludingTombstones,
                        StorageContract::list_skipsTombstones_evenWhenThereAreMoreThanTheLimit),
                caught("listed tombstone after delete", BrokenStores::listIncludingTombstones,
                        StorageContract::delete_writesATombstoneAtTheNextVersionThatIsNotListed),
                caught("loadAll without absent ids", BrokenStores::loadAllSkippingAbsent,
                        StorageContract::loadAll_returnsAnEntryForEveryId_presentAbsentOrTombstoned),
                caught("aliased payloads", BrokenStores::aliasingPayloads,
                        StorageContract::returnedPayloads_areCopies_andSavedPayloadsAreCopied),
                caught("list after close", BrokenStores::listingAfterClose,
                        StorageContract::closedStore_throwsStorageExceptionFromEveryMethod),
                caught("second close throws", BrokenStores::closeNotIdempotent,
                        StorageContract::close_isIdempotent),
                caught("no update time", BrokenStores::withoutUpdateTime,
                        StorageContract::updatedAtMillis_isSetWhenSaved),
                caught("lost updates under contention", BrokenStores::checkThenWriteWithoutAtomicity,
                        StorageContract::concurrentWriters_onOneKey_exactlyOneWinsEachVersion),
                caught("history never pruned", BrokenStores::historyNeverPruned,
                        StorageContract::history_isPrunedAsNewVersionsArrive),
                caught("history not pruned to a smaller depth", BrokenStores::historyNeverPruned,
                        StorageContract::history_depthChangingBetweenWrites_prunesGrowsAndDrops),
                caught("history surviving a delete", BrokenStores::historySurvivingDeletes,
                        StorageContract::history_isDroppedByATombstone_andStartsAfreshAfterIt),
                caught("aliased history", BrokenStores::aliasingHistory,
                        StorageContract::history_returnsCopies_andKeepsCopies),
                caught("history outside the commit", BrokenStores::historyOutsideTheCommit,
                        StorageContract::concurrentWriters_onOneKey_withHistory_leaveAConsistentHistory),
                caught("history outside the commit, no copies kept", BrokenStores::historyOutsideTheCommit,
                        StorageContract::history_returnsCopies_andKeepsCopies),
                caught("tombstones still due", BrokenStores::dueKeepingTombstones,
                        StorageContract::delete_removesTheReminders),
                caught("due without its bound", BrokenStores::dueIgnoringTheBound,
                        StorageContract::due_findsAServerExactlyWhenNotAfterReachesItsRemindAt),
                caught("reminders outliving a write without them", BrokenStores::saveKeepingOldReminders,
                        StorageContract::save_replacesTheReminders_andASaveWithoutThemRemovesThem),
                caught("history kept but not declared", BrokenStores::historyUndeclared,
                        StorageContract::history_ofAStoreThatKeepsNone_isUnsupported_andDepthsAreRefused),
                caught("reminders declared but not kept", BrokenStores::remindersDeclaredButNotKept,
                        StorageContract::due_findsAServerExactlyWhenNotAfterReachesItsRemindAt),
                caught("model-based sequences", BrokenStores::deleteIgnoringVersion,
                        StorageContract::modelBasedSequences_agreeWithTheModel),
                caught("model-based sequences with history", BrokenStores::historyNeverPruned,
                        StorageContract::modelBasedSequences_agreeWithTheModel));
    }

    private static DynamicTest caught(String bug, Supplier<Storage> store, ThrowingConsumer<StorageContract> testCase) {
        return dynamicTest(bug, () -> {
            StorageContract contract = new StorageContract() {
                @Override
                protected Storage newStorage() {
                    return store.get();
                }
            };
            contract.openStorage();
            try {
                assertThatThrownBy(() -> testCase.accept(contract)).isInstanceOf(AssertionError.class);
            } finally {
                // The broken store may fail to close; that is not what this case checks.
                catchThrowable(contract::closeStorage);
            }
        });
    }
}
