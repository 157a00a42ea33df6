package io.github.pgs.jackson.internal;

/**
 * A stored ref whose type is not the one its property declares with {@code @RefTo}; {@link Failures} turns it into
 * a {@link io.github.pgs.RefTypeMismatchException} carrying the path Jackson collected on the way out.
 */
final class RefMismatch extends SafeFailure {

    final String declaredType;
    final String actualType;

    RefMismatch(String declaredType, String actualType) {
        super("a ref points to a server of type '" + actualType + "', but its field declares refs to type '"
                + declaredType + "' (@RefTo)");
        this.declaredType = declaredType;
        this.actualType = actualType;
    }
}
