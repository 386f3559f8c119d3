package dev.yardmaster.scaling;

import dev.yardmaster.core.YardmasterException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns what AWS answered into a refusal a person can act on. Throttling has already been
 * retried by the SDK when it gets here. Only AWS's error code, message and request id are
 * passed on or logged: never a request, a header or a credential.
 */
final class AwsErrors {

    private static final Logger LOG = Logger.getLogger(AwsErrors.class);

    static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "RequestLimitExceeded",
            "RequestThrottled", "TooManyRequestsException", "SlowDown");
    static final Set<String> ACCESS_DENIED = Set.of("AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
            "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
            "ExpiredToken", "MissingAuthenticationToken", "OptInRequired");
    static final Set<String> IN_PROGRESS = Set.of("ScalingActivityInProgress", "ResourceInUse", "ResourceContention");

    private AwsErrors() {
    }

    /** Runs one AWS call; {@code what} says what it was for, e.g. "setting the desired capacity of worker-spot". */
    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw translate(what, e);
        }
    }

    static YardmasterException translate(String what, SdkException e) {
        if (e instanceof AwsServiceException aws) {
            String code = aws.awsErrorDetails() == null ? "Unknown" : aws.awsErrorDetails().errorCode();
            String message = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorMessage();
            String requestId = aws.requestId();
            int attempts = aws.numAttempts() == null ? 1 : aws.numAttempts();
            LOG.warnf("AWS refused %s: %s (HTTP %d, request id %s, %d attempt(s))", what, code, aws.statusCode(),
                    requestId, attempts);
            Map<String, Object> ext = new LinkedHashMap<>();
            ext.put("awsErrorCode", code);
            if (requestId != null) {
                ext.put("awsRequestId", requestId);
            }
            ext.put("attempts", attempts);
            String said = message == null || message.isBlank() ? "" : ": " + message;
            String tail = " (AWS error " + code + (requestId == null ? "" : ", request id " + requestId) + ")";
            if (THROTTLING.contains(code)) {
                return new YardmasterException(503, "aws-throttled", "AWS is throttling",
                        "AWS kept throttling " + what + " after " + attempts + " attempts; try again in a minute" + tail + ".", ext);
            }
            if (ACCESS_DENIED.contains(code)) {
                return new YardmasterException(502, "aws-access-denied", "AWS denied access",
                        "AWS denied Yardmaster's credentials " + what + said + tail
                                + ". Grant its IAM role the permission, or check its credentials.", ext);
            }
            if (IN_PROGRESS.contains(code)) {
                return new YardmasterException(409, "aws-scaling-in-progress", "Scaling activity in progress",
                        "AWS refused " + what + said + tail + ". Wait for the current activity or the cooldown to end.", ext);
            }
            if (aws.statusCode() >= 400 && aws.statusCode() < 500) {
                return new YardmasterException(400, "aws-validation-error", "AWS refused the request",
                        "AWS refused " + what + said + tail + ".", ext);
            }
            return new YardmasterException(502, "aws-error", "AWS failed",
                    "AWS failed " + what + said + tail + ".", ext);
        }
        LOG.warnf("Could not reach AWS %s: %s", what, e.getClass().getSimpleName());
        String reason = e instanceof SdkClientException && e.getMessage() != null ? e.getMessage() : "no answer";
        return new YardmasterException(503, "aws-unreachable", "AWS unreachable",
                "Could not reach AWS " + what + ": " + firstLine(reason), Map.of());
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
