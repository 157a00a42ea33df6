package io.github.pgs;

/**
 * A ref names a type that is not registered with the runtime. Types are never loaded by a name read from data:
 * register them (builder {@code register}, or any {@code start}/{@code ref} with the class).
 */
public class UnknownServerTypeException extends GenServerException {

    private final String typeName;

    public UnknownServerTypeException(String typeName) {
        super(null, "no server type registered under the name '" + typeName + "'");
        this.typeName = typeName;
    }

    public String typeName() {
        return typeName;
    }
}
