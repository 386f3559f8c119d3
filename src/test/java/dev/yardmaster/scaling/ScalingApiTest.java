package dev.yardmaster.scaling;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.core.Problem;
import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.aws.FakeAws;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scaling API against the wire-level fake AWS endpoint: the SDK speaks real HTTP to it. */
@QuarkusTest
class ScalingApiTest {

    ScalingFixture aws;
    FakeAws fake;

    @BeforeEach
    void seed() {
        given().auth().oauth2(Tokens.user("bob")).delete("/api/environments/review/lock").then().statusCode(200);
        aws = ScalingFixture.standard();
        fake = aws.fake;
    }

    @AfterEach
    void unlock() {
        given().auth().oauth2(Tokens.user("bob")).delete("/api/environments/review/lock").then().statusCode(200);
    }

    @Test
    void discoveryStoresTaggedGroupsWithTheirInstancesAndIgnoresTheRest() {
        JsonPath all = given().auth().oauth2(Tokens.user("carol")).get("/api/scaling/groups").then().statusCode(200)
                .extract().jsonPath();
        assertThat(all.getList("groups.name", String.class)).containsExactlyInAnyOrder("review-worker-spot",
                "review-worker-backup", "staging-api", "prod-worker-spot", "prod-worker-backup");
        assertThat(all.getString("lastDiscovery.outcome")).isEqualTo("succeeded");
        assertThat(all.getString("lastDiscovery.notes")).contains("qa-worker").contains("'qa' is not an environment");
        assertThat(all.getInt("lastDiscovery.instances")).isEqualTo(3 + 2 + 4);

        JsonPath spot = given().auth().oauth2(Tokens.user("carol")).get("/api/scaling/groups/review-worker-spot").then()
                .statusCode(200).extract().jsonPath();
        assertThat(spot.getString("environment")).isEqualTo("review");
        assertThat(spot.getString("nodeType")).isEqualTo("worker");
        assertThat(spot.getInt("minSize")).isZero();
        assertThat(spot.getInt("desiredCapacity")).isEqualTo(3);
        assertThat(spot.getInt("maxSize")).isEqualTo(10);
        assertThat(spot.getString("launchTemplateId")).isEqualTo(aws.reviewTemplate);
        List<Map<String, Object>> instances = spot.getList("instances");
        assertThat(instances).hasSize(3).allSatisfy(i -> {
            assertThat(i.get("lifecycleState")).isEqualTo("InService");
            assertThat(i.get("market")).isEqualTo("spot");
            assertThat((String) i.get("privateIp")).startsWith("10.0.");
            assertThat((String) i.get("privateDns")).endsWith(".ec2.internal");
            assertThat(i.get("launchedAt")).isNotNull();
            assertThat(i.get("availabilityZone")).isIn("us-east-1a", "us-east-1b");
        });
        assertThat(spot.getList("instances.instanceId", String.class))
                .containsExactlyInAnyOrderElementsOf(fake.instanceIds("review-worker-spot"));
    }

    @Test
    void aSpotGroupIsPairedWithTheOnDemandGroupThatNamesIt() {
        JsonPath review = given().auth().oauth2(Tokens.bot()).queryParam("environment", "review")
                .queryParam("nodeType", "worker").get("/api/scaling/groups").then().statusCode(200).extract().jsonPath();
        assertThat(review.getList("groups.name", String.class)).containsExactly("review-worker-spot", "review-worker-backup");
        assertThat(review.getList("groups.kind", String.class)).containsExactly("spot", "backup");
        assertThat(review.getString("groups[0].backupGroup")).isEqualTo("review-worker-backup");
        assertThat(review.getString("groups[1].backupFor")).isEqualTo("review-worker-spot");
        assertThat(given().auth().oauth2(Tokens.bot()).get("/api/scaling/groups/staging-api").jsonPath().getString("kind"))
                .isEqualTo("on-demand");
    }

    @Test
    void aDeployerGrowsAReviewGroupAndGetsTheAwsActivitiesBack() {
        Response response = setDesired("alice", "review-worker-spot", 5, false);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.jsonPath().getInt("from")).isEqualTo(3);
        assertThat(response.jsonPath().getInt("to")).isEqualTo(5);
        assertThat(response.jsonPath().getList("activities.description", String.class)).hasSize(2)
                .allSatisfy(d -> assertThat(d).startsWith("Launching a new EC2 instance: i-"));
        assertThat(fake.groupNamed("review-worker-spot").desired).isEqualTo(5);

        JsonPath group = given().auth().oauth2(Tokens.user("carol")).get("/api/scaling/groups/review-worker-spot").jsonPath();
        assertThat(group.getInt("desiredCapacity")).isEqualTo(5);
        assertThat(group.getList("instances")).as("refreshed after the change").hasSize(5);

        JsonPath audit = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "scaling.capacity-set")
                .get("/api/audit").jsonPath();
        assertThat(audit.getString("events[0].actor")).isEqualTo("alice");
        assertThat(audit.getString("events[0].subject")).isEqualTo("review-worker-spot");
        assertThat(audit.getInt("events[0].details.from")).isEqualTo(3);
        assertThat(audit.getInt("events[0].details.to")).isEqualTo(5);
    }

    @Test
    void shrinkingBelowMinOrGrowingAboveMaxIsRefusedBeforeAwsIsAsked() {
        Response above = setDesired("alice", "review-worker-spot", 11, false);
        ProblemAssert.problem(above, 400, "capacity-out-of-range");
        assertThat(above.jsonPath().getString("detail")).contains("from 0 to 10").contains("11");
        ProblemAssert.problem(setDesired("bob", "prod-worker-spot", 1, false), 400, "capacity-out-of-range");
        assertThat(fake.calls("SetDesiredCapacity")).isZero();
        ProblemAssert.problem(given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"desiredCapacity\": -1}").put("/api/scaling/groups/review-worker-spot/desired-capacity"), 400, "invalid-request");
    }

    @Test
    void prodNeedsAReleaseManager() {
        Response alice = setDesired("alice", "prod-worker-spot", 5, false);
        ProblemAssert.problem(alice, 403, "role-required");
        assertThat(alice.jsonPath().getString("detail")).contains("release-manager");
        ProblemAssert.problem(setDesired("carol", "review-worker-spot", 4, false), 403, "forbidden");
        assertThat(fake.calls("SetDesiredCapacity")).isZero();
        assertThat(setDesired("bob", "prod-worker-spot", 5, false).statusCode()).isEqualTo(200);
        assertThat(fake.groupNamed("prod-worker-spot").desired).isEqualTo(5);
    }

    @Test
    void anUnknownGroupIs404() {
        ProblemAssert.problem(setDesired("alice", "nope", 1, false), 404, "scaling-group-not-found");
    }

    @Test
    void honouringTheCooldownRefusesASecondChangeWithAConflict() {
        assertThat(setDesired("alice", "review-worker-spot", 4, true).statusCode()).isEqualTo(200);
        Response again = setDesired("alice", "review-worker-spot", 5, true);
        ProblemAssert.problem(again, 409, "aws-scaling-in-progress");
        assertThat(again.jsonPath().getString("awsErrorCode")).isEqualTo("ScalingActivityInProgress");
        assertThat(setDesired("alice", "review-worker-spot", 5, false).statusCode()).as("without honouring it").isEqualTo(200);
    }

    @Test
    void shiftingMovesCapacityFromSpotToTheBackupInOneCall() {
        Response response = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"count\": 2}").post("/api/scaling/groups/review-worker-spot/shift-to-backup");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.jsonPath().getInt("backup.to")).isEqualTo(2);
        assertThat(response.jsonPath().getInt("spot.to")).isEqualTo(1);
        assertThat(response.jsonPath().getList("backup.activities")).hasSize(2);
        assertThat(response.jsonPath().getList("spot.activities.description", String.class))
                .allSatisfy(d -> assertThat(d).startsWith("Terminating EC2 instance"));
        assertThat(fake.groupNamed("review-worker-backup").desired).isEqualTo(2);
        assertThat(fake.groupNamed("review-worker-spot").desired).isEqualTo(1);

        Response tooMany = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"count\": 5}").post("/api/scaling/groups/review-worker-spot/shift-to-backup");
        ProblemAssert.problem(tooMany, 400, "capacity-out-of-range");
        ProblemAssert.problem(given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"count\": 1}").post("/api/scaling/groups/staging-api/shift-to-backup"), 409, "not-a-spot-group");
    }

    @Test
    void throttlingIsRetriedWithTheSdkBackoffThenSucceeds() {
        fake.throttle("SetDesiredCapacity", 2);
        Response response = setDesired("alice", "review-worker-spot", 6, false);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(fake.calls("SetDesiredCapacity")).isEqualTo(3);
        assertThat(fake.groupNamed("review-worker-spot").desired).isEqualTo(6);

        // EC2 throttles with RequestLimitExceeded (HTTP 503); discovery rides it out the same way.
        fake.throttle("DescribeAutoScalingGroups", 2);
        fake.throttle("DescribeInstances", 3);
        int describes = fake.calls("DescribeInstances");
        aws.discover();
        assertThat(fake.calls("DescribeInstances") - describes).isEqualTo(4);
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/api/scaling/groups").jsonPath()
                .getString("lastDiscovery.outcome")).isEqualTo("succeeded");
    }

    @Test
    void throttlingThatOutlastsTheRetriesIsA503Problem() {
        fake.throttle("SetDesiredCapacity", 10);
        Response response = setDesired("alice", "review-worker-spot", 6, false);
        ProblemAssert.problem(response, 503, "aws-throttled");
        assertThat(response.jsonPath().getInt("attempts")).isEqualTo(5);
        assertThat(fake.calls("SetDesiredCapacity")).isEqualTo(5);
    }

    @Test
    void accessDeniedIsAClearProblemAndNoSecretIsLoggedOrAnswered() {
        List<String> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters())
                        + " " + (record.getThrown() == null ? "" : record.getThrown().toString()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            fake.denyAccess("SetDesiredCapacity");
            Response response = setDesired("alice", "review-worker-spot", 4, false);
            ProblemAssert.problem(response, 502, "aws-access-denied");
            assertThat(response.jsonPath().getString("detail")).contains("not authorized to perform: autoscaling:SetDesiredCapacity");
            assertThat(response.jsonPath().getString("awsErrorCode")).isEqualTo("AccessDenied");
            assertThat(response.jsonPath().getString("awsRequestId")).isNotBlank();
            assertThat(response.asString()).doesNotContain(FakeAws.SECRET_ACCESS_KEY).doesNotContain("Signature=");
            assertThat(logged).anySatisfy(line -> assertThat(line).contains("AccessDenied"));
            assertThat(String.join("\n", logged)).doesNotContain(FakeAws.SECRET_ACCESS_KEY);
        } finally {
            root.removeHandler(capture);
        }
        assertThat(fake.groupNamed("review-worker-spot").desired).isEqualTo(3);
        JsonPath refused = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "request.refused")
                .queryParam("actor", "alice").get("/api/audit").jsonPath();
        assertThat(refused.getString("events[0].details.type")).endsWith("/aws-access-denied");
    }

    @Test
    void aValidationErrorFromAwsIsA400Problem() {
        fake.validationError("SetDesiredCapacity", "The group is being deleted.");
        Response response = setDesired("alice", "review-worker-spot", 4, false);
        ProblemAssert.problem(response, 400, "aws-validation-error");
        assertThat(response.jsonPath().getString("detail")).contains("The group is being deleted.");
    }

    @Test
    void discoveryThatAwsDeniesIsRecordedAsFailedAndKeepsTheStoredGroups() {
        fake.denyAccess("DescribeAutoScalingGroups");
        Response response = given().auth().oauth2(Tokens.user("alice")).post("/api/scaling/discover");
        ProblemAssert.problem(response, 502, "aws-access-denied");
        JsonPath all = given().auth().oauth2(Tokens.user("carol")).get("/api/scaling/groups").jsonPath();
        assertThat(all.getString("lastDiscovery.outcome")).isEqualTo("failed");
        assertThat(all.getList("groups")).hasSize(5);
    }

    @Test
    void firstBootUserDataNamesEnvironmentNodeTypeAndRepository() {
        JsonPath view = given().auth().oauth2(Tokens.user("carol")).get("/api/scaling/first-boot/review/worker").then()
                .statusCode(200).extract().jsonPath();
        assertThat(view.getString("repoUrl")).isEqualTo("http://repo.test.internal/review");
        assertThat(view.getString("userData")).contains("YARDMASTER_ENVIRONMENT=review", "YARDMASTER_NODE_TYPE=worker",
                "baseurl=http://repo.test.internal/review");
        assertThat(view.getList("launchTemplates.matches", Boolean.class)).containsOnly(false).hasSize(2);
        ProblemAssert.problem(given().auth().oauth2(Tokens.user("carol")).get("/api/scaling/first-boot/review/Bad;rm"), 400,
                "node-type-invalid");
    }

    @Test
    void creatingALaunchTemplateVersionWritesTheUserDataAndMakesItTheDefault() {
        Response response = given().auth().oauth2(Tokens.user("alice")).post("/api/scaling/first-boot/review/worker/launch-template-versions");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
        assertThat(response.jsonPath().getList("version", Integer.class)).containsOnly(2).hasSize(2);
        FakeAws.Template template = fake.template(aws.reviewTemplate);
        assertThat(template.defaultVersion).isEqualTo(2);
        assertThat(template.userDataOf(2)).contains("YARDMASTER_ENVIRONMENT=review").contains("YARDMASTER_NODE_TYPE=worker")
                .contains("http://repo.test.internal/review");
        assertThat(template.descriptions.get(2L)).contains("alice");

        JsonPath view = given().auth().oauth2(Tokens.user("carol")).get("/api/scaling/first-boot/review/worker").jsonPath();
        assertThat(view.getList("launchTemplates.matches", Boolean.class)).containsOnly(true);
        JsonPath audit = given().auth().oauth2(Tokens.user("carol"))
                .queryParam("action", "scaling.launch-template-version-created").get("/api/audit").jsonPath();
        assertThat(audit.getList("events.subject", String.class)).contains(aws.reviewTemplate);

        // A new instance boots from the new default version.
        setDesired("alice", "review-worker-spot", 4, false);
        String newest = fake.instanceIds("review-worker-spot").get(3);
        assertThat(fake.instance(newest).templateVersion).isEqualTo(2);
    }

    @Test
    void firstBootChangesAreRefusedWhileTheEnvironmentIsLocked() {
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json").body("{\"reason\":\"incident 7\"}")
                .put("/api/environments/review/lock").then().statusCode(200);
        ProblemAssert.problem(given().auth().oauth2(Tokens.user("alice"))
                .post("/api/scaling/first-boot/review/worker/launch-template-versions"), 423, "environment-locked");
        assertThat(fake.calls("CreateLaunchTemplateVersion")).isZero();
        // Capacity is an incident tool: it stays available while deploys are locked.
        assertThat(setDesired("alice", "review-worker-spot", 4, false).statusCode()).isEqualTo(200);
    }

    @Test
    void prodFirstBootNeedsAReleaseManager() {
        ProblemAssert.problem(given().auth().oauth2(Tokens.user("alice"))
                .post("/api/scaling/first-boot/prod/worker/launch-template-versions"), 403, "role-required");
        assertThat(given().auth().oauth2(Tokens.user("bob"))
                .post("/api/scaling/first-boot/prod/worker/launch-template-versions").statusCode()).isEqualTo(201);
    }

    static Response setDesired(String user, String group, int desired, boolean honorCooldown) {
        return given().auth().oauth2(Tokens.forIdentity(user)).contentType("application/json")
                .body(Map.of("desiredCapacity", desired, "honorCooldown", honorCooldown))
                .put("/api/scaling/groups/" + group + "/desired-capacity");
    }

    /** Problem assertions shared by the scaling tests. */
    static final class ProblemAssert {
        static void problem(Response response, int status, String slug) {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.jsonPath().getString("type")).isEqualTo(Problem.TYPE_BASE + slug);
            assertThat(response.jsonPath().getString("detail")).isNotBlank();
        }
    }
}
