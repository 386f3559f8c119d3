package dev.yardmaster.promotion;

import dev.yardmaster.environment.Environment;
import dev.yardmaster.rollout.TargetBuilds;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * What a roll installs by default: the build live in the environment. The environment's repo
 * holds exactly that build of the package, so it is also the newest one there and a plain
 * {@code yum update} reaches it; any other EVR needs an explicit install.
 */
@ApplicationScoped
public class PromotedBuilds implements TargetBuilds {

    @Override
    public Optional<String> promoted(String environment, String packageName) {
        return QuarkusTransaction.joiningExisting().call(() -> Environment.named(environment)
                .flatMap(env -> Promotion.currentIn(env, packageName)).map(p -> p.build.evr()));
    }

    @Override
    public boolean isNewest(String environment, String packageName, String evr) {
        return promoted(environment, packageName).map(evr::equals).orElse(false);
    }
}
