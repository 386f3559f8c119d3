package dev.yardmaster.scaling;

import static io.restassured.RestAssured.given;

import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.aws.FakeAws;
import dev.yardmaster.testing.aws.FakeAwsResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * What storing discovery costs over just reading AWS: a full discovery (Auto Scaling, EC2,
 * launch templates, then PostgreSQL) against the same reads without the store, both through
 * the fake endpoint in the same run. Prints a ratio; asserts nothing about time.
 * Run with {@code ./mvnw test -Dtest=ScalingDiscoveryBenchmark}.
 */
@QuarkusTest
class ScalingDiscoveryBenchmark {

    @Inject
    AwsClients aws;

    @Test
    void discoveryAgainstRawReads() {
        FakeAws fake = FakeAwsResource.fake();
        fake.reset();
        int groups = 50;
        int perGroup = 20;
        for (int g = 0; g < groups; g++) {
            String env = g % 3 == 0 ? "review" : g % 3 == 1 ? "staging" : "prod";
            String template = fake.launchTemplate("bench-" + g, g % 2 == 0);
            fake.group("bench-" + g).environment(env).nodeType("type-" + g).template(template).sizes(0, perGroup, 40).create();
        }
        for (int warm = 0; warm < 2; warm++) {
            discover();
            rawReads();
        }
        int rounds = 5;
        long discovery = 0;
        long raw = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            discover();
            long t1 = System.nanoTime();
            rawReads();
            long t2 = System.nanoTime();
            discovery += t1 - t0;
            raw += t2 - t1;
        }
        System.out.printf("BENCHMARK scaling discovery of %d groups / %d instances: %.1f ms per run through the API,"
                + " raw SDK reads %.1f ms; ratio discovery/raw = %.2f%n", groups, groups * perGroup,
                discovery / 1e6 / rounds, raw / 1e6 / rounds, (double) discovery / raw);
    }

    private void discover() {
        given().auth().oauth2(Tokens.user("alice")).post("/api/scaling/discover").then().statusCode(200);
    }

    /** The AWS calls discovery makes, without storing anything. */
    private void rawReads() {
        var all = aws.autoScaling().describeAutoScalingGroupsPaginator(b -> b.filters(f -> f.name("tag-key")
                .values("yardmaster:environment"))).autoScalingGroups().stream().toList();
        var ids = all.stream().flatMap(g -> g.instances().stream()).map(i -> i.instanceId()).toList();
        for (int from = 0; from < ids.size(); from += 200) {
            var chunk = ids.subList(from, Math.min(ids.size(), from + 200));
            aws.ec2().describeInstancesPaginator(b -> b.filters(f -> f.name("instance-id").values(chunk))).reservations()
                    .forEach(r -> { });
        }
        for (var g : all) {
            String id = g.launchTemplate().launchTemplateId();
            aws.ec2().describeLaunchTemplates(b -> b.launchTemplateIds(id));
            aws.ec2().describeLaunchTemplateVersions(b -> b.launchTemplateId(id).versions("$Default"));
        }
    }
}
