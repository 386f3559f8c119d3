package dev.yardmaster.promotion;

import dev.yardmaster.core.YardmasterException;

/** A step on the repo server failed; the message says which and why. */
public class RepoException extends YardmasterException {
    public RepoException(String message) {
        super(502, "repo-server-error", "Repo server error", message);
    }
}
