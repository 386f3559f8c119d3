package dev.yardmaster.promotion;

/** A step of the repo-server effect failed; the message says which and why. */
public class RepoException extends RuntimeException {
    public RepoException(String message) {
        super(message);
    }
}
