package io.github.pgs;

/**
 * A message whose class the server's type does not declare was sent through a placement engine (to another node).
 * Only declared classes cross nodes: a type accepts the records and enums declared inside its behaviour (and the
 * permitted subclasses of sealed interfaces declared there), {@code String} and the boxed primitives, and whatever
 * {@code ServerType.Builder.messages} adds. Nothing was sent.
 */
public class MessageNotDeclaredException extends CodecException {

    private final String typeName;
    private final String messageClass;

    public MessageNotDeclaredException(String typeName, String messageClass) {
        super("type '" + typeName + "' does not declare the message class " + messageClass
                + "; add it with ServerType.builder(...).messages(...)", null);
        this.typeName = typeName;
        this.messageClass = messageClass;
    }

    /** The server's type name. */
    public String typeName() {
        return typeName;
    }

    /** The binary name of the message's class. */
    public String messageClass() {
        return messageClass;
    }
}
