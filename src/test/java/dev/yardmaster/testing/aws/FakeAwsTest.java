package dev.yardmaster.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The fake itself: it checks signatures like AWS does, so a test against it can fail for the right reasons. */
class FakeAwsTest {

    static FakeAws fake;

    @BeforeAll
    static void start() throws Exception {
        fake = FakeAws.start();
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    static AutoScalingClient autoScaling(String key, String secret) {
        return AutoScalingClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .endpointOverride(fake.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    @Test
    void aRequestSignedWithTheWrongSecretIsRefused() {
        try (AutoScalingClient client = autoScaling(FakeAws.ACCESS_KEY_ID, "not-the-secret")) {
            assertThatThrownBy(() -> client.describeAutoScalingGroups(b -> { }))
                    .isInstanceOfSatisfying(AwsServiceException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch"));
        }
        try (AutoScalingClient client = autoScaling("AKIAUNKNOWN000000000", FakeAws.SECRET_ACCESS_KEY)) {
            assertThatThrownBy(() -> client.describeAutoScalingGroups(b -> { }))
                    .isInstanceOfSatisfying(AwsServiceException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId"));
        }
    }

    @Test
    void groupsLaunchInstancesThatEc2Describes() {
        fake.reset();
        String template = fake.launchTemplate("t", true);
        fake.group("g").environment("review").nodeType("worker").template(template).sizes(0, 2, 4).create();
        try (AutoScalingClient client = autoScaling(FakeAws.ACCESS_KEY_ID, FakeAws.SECRET_ACCESS_KEY);
                Ec2Client ec2 = Ec2Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                        .endpointOverride(fake.endpoint()).credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(FakeAws.ACCESS_KEY_ID, FakeAws.SECRET_ACCESS_KEY))).build()) {
            var group = client.describeAutoScalingGroups(b -> b.autoScalingGroupNames("g")).autoScalingGroups().get(0);
            assertThat(group.instances()).hasSize(2);
            assertThat(group.tags()).anySatisfy(t -> assertThat(t.key()).isEqualTo("yardmaster:environment"));
            var instances = ec2.describeInstances(b -> b.instanceIds(group.instances().get(0).instanceId())).reservations()
                    .get(0).instances();
            assertThat(instances.get(0).instanceLifecycleAsString()).isEqualTo("spot");
            fake.interrupt(group.instances().get(0).instanceId(), true);
            assertThat(client.describeAutoScalingInstances(b -> b.instanceIds(group.instances().get(0).instanceId()))
                    .autoScalingInstances()).isEmpty();
            assertThat(fake.instanceIds("g")).hasSize(2).doesNotContain(group.instances().get(0).instanceId());
        }
    }
}
