/**
 * Building blocks for {@link io.github.pgs.spi.Storage} implementations, ours and yours: everything a store needs
 * besides its own queries or scripts and its wiring, written once so that every store checks, pages and fails
 * the same way.
 *
 * <ul>
 *   <li>{@link io.github.pgs.store.support.StoreChecks}: the argument checks of the storage contract (keys
 *       without an exact UTF-8 form, negative expected versions, limits below 1), with the exceptions the
 *       contract promises.</li>
 *   <li>{@link io.github.pgs.store.support.GroupCommit}: many callers' writes, one batch per transaction or
 *       pipeline, each caller with its own outcome.</li>
 *   <li>{@link io.github.pgs.store.support.KeyPageBuilder} and {@link io.github.pgs.store.support.DuePageBuilder}:
 *       a {@code list} or {@code due} page by the "limit + 1" rule, each row isolated (a row that cannot be read
 *       is skipped and reported, never decoded lossily, never fatal) and the cursor the stored bytes of the last
 *       row read.</li>
 *   <li>{@link io.github.pgs.store.support.ContiguousHistory}: which history rows belong to the current
 *       history.</li>
 *   <li>{@link io.github.pgs.store.support.CloseGate}: calls in progress finish before {@code close} releases
 *       anything, and every later call fails with the store's "closed" exception.</li>
 *   <li>{@link io.github.pgs.store.support.StoredRows}: stored fields to a
 *       {@link io.github.pgs.spi.StoredState}, impossible values to a
 *       {@link io.github.pgs.CorruptRecordException} for that server alone.</li>
 * </ul>
 *
 * <h2>Writing a store</h2>
 * Implement {@link io.github.pgs.spi.Storage} with one class that holds the store's queries and wiring, declare
 * what it keeps in {@link io.github.pgs.spi.Storage#capabilities()}, and use the classes above for the rest. Then
 * extend {@code io.github.pgs.testkit.tck.StorageContract} from {@code pgs-testkit} in your tests: it checks the
 * whole contract, runs a model-based sequence runner against your store, and tells you which promise a failure
 * breaks. The stores in {@code pgs-sqlite}, {@code pgs-postgres} and {@code pgs-redis} are built this way.
 */
package io.github.pgs.store.support;
