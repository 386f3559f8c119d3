package dev.yardmaster.scaling;

import dev.yardmaster.core.YardmasterException;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The Auto Scaling and EC2 clients: built on first use from {@link ScalingConfig}, sharing one
 * URL-connection HTTP client (the lightest of the SDK's, and no Netty or Apache on our path),
 * credentials from the SDK's default chain, and the SDK's standard retry strategy, whose
 * exponential backoff with jitter absorbs throttling.
 */
@ApplicationScoped
public class AwsClients {

    private final ScalingConfig config;
    private SdkHttpClient http;
    private AutoScalingClient autoScaling;
    private Ec2Client ec2;

    AwsClients(ScalingConfig config) {
        this.config = config;
    }

    public synchronized AutoScalingClient autoScaling() {
        if (autoScaling == null) {
            autoScaling = configure(AutoScalingClient.builder()).build();
        }
        return autoScaling;
    }

    public synchronized Ec2Client ec2() {
        if (ec2 == null) {
            ec2 = configure(Ec2Client.builder()).build();
        }
        return ec2;
    }

    private <B extends AwsClientBuilder<B, ?> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        if (!config.enabled()) {
            throw new YardmasterException(503, "scaling-disabled", "Scaling is off",
                    "EC2 Auto Scaling is not enabled: set yardmaster.scaling.enabled=true and a region.", Map.of());
        }
        if (http == null) {
            http = UrlConnectionHttpClient.builder().connectionTimeout(config.callTimeout())
                    .socketTimeout(config.callTimeout()).build();
        }
        ScalingConfig.Retry retry = config.retry();
        builder.httpClient(http)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(region())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(config.callTimeout().multipliedBy(Math.max(1, retry.maxAttempts()) + 1L))
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(retry.maxAttempts())
                                .backoffStrategy(BackoffStrategy.exponentialDelay(retry.baseDelay(), retry.maxBackoff()))
                                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(
                                        retry.throttlingBaseDelay(), retry.maxBackoff()))
                                .build())
                        .build());
        config.endpointOverride().ifPresent(builder::endpointOverride);
        return builder;
    }

    private Region region() {
        if (config.region().isPresent()) {
            return Region.of(config.region().get());
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            throw new YardmasterException(503, "scaling-region-unknown", "No AWS region",
                    "Set yardmaster.scaling.region (or AWS_REGION) to the region of the Auto Scaling groups.", Map.of());
        }
    }

    synchronized void close(@Observes ShutdownEvent event) {
        if (autoScaling != null) {
            autoScaling.close();
        }
        if (ec2 != null) {
            ec2.close();
        }
        if (http != null) {
            http.close();
        }
    }
}
