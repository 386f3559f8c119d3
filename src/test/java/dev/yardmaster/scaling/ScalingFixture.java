package dev.yardmaster.scaling;

import static io.restassured.RestAssured.given;

import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.aws.FakeAws;
import dev.yardmaster.testing.aws.FakeAwsResource;

/**
 * The groups most scaling tests start from: per environment a spot worker group paired with an
 * on-demand backup, plus groups discovery must ignore. Discovered through the real API.
 */
public final class ScalingFixture {

    public final FakeAws fake = FakeAwsResource.fake();
    public String reviewTemplate;
    public String prodTemplate;

    public static ScalingFixture standard() {
        ScalingFixture f = new ScalingFixture();
        f.fake.reset();
        f.reviewTemplate = f.fake.launchTemplate("review-worker", true);
        String reviewBackupTemplate = f.fake.launchTemplate("review-worker-ondemand", false);
        f.prodTemplate = f.fake.launchTemplate("prod-worker", true);
        f.fake.group("review-worker-spot").environment("review").nodeType("worker").template(f.reviewTemplate)
                .sizes(0, 3, 10).create();
        f.fake.group("review-worker-backup").environment("review").nodeType("worker").backupFor("review-worker-spot")
                .template(reviewBackupTemplate).sizes(0, 0, 6).create();
        f.fake.group("staging-api").environment("staging").nodeType("api").template(f.fake.launchTemplate("staging-api", false))
                .sizes(1, 2, 4).create();
        f.fake.group("prod-worker-spot").environment("prod").nodeType("worker").template(f.prodTemplate).sizes(2, 4, 20).create();
        f.fake.group("prod-worker-backup").environment("prod").nodeType("worker").backupFor("prod-worker-spot")
                .template(f.fake.launchTemplate("prod-worker-ondemand", false)).sizes(0, 0, 10).create();
        f.fake.group("qa-worker").environment("qa").nodeType("worker").sizes(0, 1, 2).create();
        f.fake.group("someone-elses-group").tag("team", "data").sizes(0, 1, 2).create();
        f.discover();
        return f;
    }

    public void discover() {
        given().auth().oauth2(Tokens.user("alice")).post("/api/scaling/discover").then().statusCode(200);
    }

    private ScalingFixture() {
    }
}
