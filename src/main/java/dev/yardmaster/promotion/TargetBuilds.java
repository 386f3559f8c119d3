package dev.yardmaster.promotion;

import java.util.Optional;

/**
 * The build a roll installs by default: the one promoted to the environment (implemented by
 * the promotion feature's PromotedBuilds). A package with nothing promoted has no default
 * target, so its plans are refused unless they name one.
 */
public interface TargetBuilds {

    /** The EVR promoted to the environment for this package, if any. */
    Optional<String> promoted(String environment, String packageName);

    /** Whether {@code evr} is the newest build in the environment's repository (then `yum update` installs it). */
    boolean isNewest(String environment, String packageName, String evr);
}
