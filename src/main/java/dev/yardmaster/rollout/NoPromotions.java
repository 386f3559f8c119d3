package dev.yardmaster.rollout;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Used until a promotion feature provides {@link TargetBuilds}: nothing is promoted, nothing is known to be newest. */
@DefaultBean
@ApplicationScoped
public class NoPromotions implements TargetBuilds {

    @Override
    public Optional<String> promoted(String environment, String packageName) {
        return Optional.empty();
    }

    @Override
    public boolean isNewest(String environment, String packageName, String evr) {
        return false;
    }
}
