package io.github.pgs;

/**
 * A ref read from stored data points to a server of another type than its field declares with {@link RefTo}. The
 * state is not decoded; when it was a server's stored state, the server is quarantined and the stored bytes are
 * left untouched.
 */
public class RefTypeMismatchException extends CodecException {

    private final String field;
    private final String declaredType;
    private final String actualType;

    /**
     * @param context      what was being decoded, e.g. {@code "cannot decode JSON as Guild"}
     * @param field        where the ref was found, as a path such as {@code $.members[2]}
     * @param declaredType the type name the field declares
     * @param actualType   the type name the stored ref carries
     */
    public RefTypeMismatchException(String context, String field, String declaredType, String actualType) {
        super(context + ": the ref at " + field + " points to a server of type '" + actualType
                + "', but the field declares refs to type '" + declaredType + "' (@RefTo)", null);
        this.field = field;
        this.declaredType = declaredType;
        this.actualType = actualType;
    }

    /** Where the ref was found, as a path from the decoded value: {@code $}, {@code .name}, {@code [index]}. */
    public String field() {
        return field;
    }

    /** The type name the field declares. */
    public String declaredType() {
        return declaredType;
    }

    /** The type name of the stored ref. */
    public String actualType() {
        return actualType;
    }
}
