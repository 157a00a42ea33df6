package io.github.pgs;

/**
 * A request message that expects a reply of type {@code R}. Declare requests as records implementing this
 * interface so that {@link ServerRef#call(Call)} is type-checked:
 *
 * <pre>{@code
 * record ReadScore() implements Call<Long> {}
 * long score = ref.call(new ReadScore());
 * }</pre>
 *
 * @param <R> the type of the reply
 */
public interface Call<R> {
}
