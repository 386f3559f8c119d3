package dev.yardmaster.testing.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A wire-level fake of the parts of EC2 Auto Scaling and EC2 that Yardmaster calls. It speaks
 * the AWS Query protocol (form-encoded {@code Action=...} over POST, XML answers, the Query and
 * EC2 error documents), checks each request's SigV4 signature against static test credentials,
 * and keeps state: groups, instances, launch templates and scaling activities. Tests drive it
 * like the cloud would: inject throttling, access denied or validation errors, terminate an
 * instance as a spot interruption does.
 */
public final class FakeAws implements AutoCloseable {

    public static final String ACCESS_KEY_ID = "AKIAYARDMASTERTEST01";
    /** The secret the SDK signs with; tests assert it never shows up in a response or a log. */
    public static final String SECRET_ACCESS_KEY = "fake-secret-9f8e7d6c5b4a-never-log-me";
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";

    private static final String AS_NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private static final String EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /** One queued fault for an action: answered instead of the real thing. */
    private record Fault(String code, String message, int status) {
    }

    public static final class Group {
        public final String name;
        public int min;
        public int max;
        public int desired;
        public int cooldown = 300;
        public String templateId;
        public String templateVersion = "$Default";
        public final Map<String, String> tags = new LinkedHashMap<>();
        public final List<String> instanceIds = new ArrayList<>();
        public Instant lastScaledAt;
        final Instant createdAt;
        boolean spot;

        Group(String name, Instant createdAt) {
            this.name = name;
            this.createdAt = createdAt;
        }

        String arn() {
            return "arn:aws:autoscaling:" + REGION + ":" + ACCOUNT + ":autoScalingGroup:" + UUID.nameUUIDFromBytes(name.getBytes())
                    + ":autoScalingGroupName/" + name;
        }
    }

    public static final class Instance {
        public final String id;
        public final String group;
        public String lifecycleState = "InService";
        public String ec2State = "running";
        public final String privateIp;
        public final String az;
        public final boolean spot;
        public final Instant launchTime;
        public final String templateId;
        public final long templateVersion;

        Instance(String id, String group, String privateIp, String az, boolean spot, Instant launchTime, String templateId,
                long templateVersion) {
            this.id = id;
            this.group = group;
            this.privateIp = privateIp;
            this.az = az;
            this.spot = spot;
            this.launchTime = launchTime;
            this.templateId = templateId;
            this.templateVersion = templateVersion;
        }

        public String privateDns() {
            return "ip-" + privateIp.replace('.', '-') + ".ec2.internal";
        }
    }

    public static final class Template {
        public final String id;
        public final String name;
        public long defaultVersion = 1;
        /** Version number → base64 user data (null for none). */
        public final Map<Long, String> userData = new TreeMap<>();
        public final Map<Long, String> descriptions = new TreeMap<>();
        final boolean spot;
        final Instant createdAt;

        Template(String id, String name, boolean spot, Instant createdAt) {
            this.id = id;
            this.name = name;
            this.spot = spot;
            this.createdAt = createdAt;
        }

        public long latestVersion() {
            return ((TreeMap<Long, String>) userData).lastKey();
        }

        /** The decoded user data of a version. */
        public String userDataOf(long version) {
            String encoded = userData.get(version);
            return encoded == null ? null : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        }
    }

    record ActivityRecord(String id, String group, String description, String cause, Instant start, Instant end) {
    }

    private final HttpServer server;
    private Clock clock = Clock.systemUTC();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, Template> templates = new LinkedHashMap<>();
    private final List<ActivityRecord> activities = new ArrayList<>();
    private final Map<String, Deque<Fault>> faults = new HashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<String> requestBodies = new ArrayList<>();
    private final Deque<String> addressPool = new ArrayDeque<>();
    private int nextAddress = 10;
    private int sequence = 0;

    private FakeAws(HttpServer server) {
        this.server = server;
    }

    /** Starts on a free loopback port. */
    public static FakeAws start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        FakeAws fake = new FakeAws(server);
        server.createContext("/", fake::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return fake;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ------------------------------------------------------------------ test API

    /** Forgets every group, instance, template, fault and counted call. */
    public synchronized void reset() {
        groups.clear();
        instances.clear();
        templates.clear();
        activities.clear();
        faults.clear();
        calls.clear();
        requestBodies.clear();
        addressPool.clear();
        nextAddress = 10;
        clock = Clock.systemUTC();
    }

    /** Moves the fake's clock forward, e.g. to launch instances "later in a roll". */
    public synchronized void advanceClock(Duration by) {
        clock = Clock.offset(clock, by);
    }

    /** Private IPs handed to the next launched instances, in order (e.g. loopback fleet hosts). */
    public synchronized void useAddresses(List<String> addresses) {
        addressPool.clear();
        addressPool.addAll(addresses);
    }

    /** A launch template with version 1, asking for spot or on-demand instances. */
    public synchronized String launchTemplate(String name, boolean spot) {
        String id = "lt-" + hex(17);
        Template template = new Template(id, name, spot, clock.instant());
        template.userData.put(1L, null);
        template.descriptions.put(1L, "initial");
        templates.put(id, template);
        return id;
    }

    /** Starts describing a group; {@link GroupSpec#create()} launches its desired instances. */
    public GroupSpec group(String name) {
        return new GroupSpec(name);
    }

    public final class GroupSpec {
        private final String name;
        private int min = 0;
        private int max = 10;
        private int desired = 0;
        private String template;
        private boolean spot;
        private final Map<String, String> tags = new LinkedHashMap<>();

        GroupSpec(String name) {
            this.name = name;
        }

        public GroupSpec environment(String env) {
            tags.put("yardmaster:environment", env);
            return this;
        }

        public GroupSpec nodeType(String type) {
            tags.put("yardmaster:node-type", type);
            return this;
        }

        public GroupSpec backupFor(String spotGroup) {
            tags.put("yardmaster:backup-for", spotGroup);
            return this;
        }

        public GroupSpec tag(String key, String value) {
            tags.put(key, value);
            return this;
        }

        public GroupSpec spot() {
            spot = true;
            return this;
        }

        public GroupSpec sizes(int min, int desired, int max) {
            this.min = min;
            this.desired = desired;
            this.max = max;
            return this;
        }

        public GroupSpec template(String templateId) {
            this.template = templateId;
            return this;
        }

        public Group create() {
            synchronized (FakeAws.this) {
                Group group = new Group(name, clock.instant());
                group.min = min;
                group.max = max;
                group.desired = desired;
                group.templateId = template;
                group.spot = spot;
                group.tags.putAll(tags);
                groups.put(name, group);
                reconcile(group, "An instance was started in response to a difference between desired and actual capacity");
                return group;
            }
        }
    }

    public synchronized Group groupNamed(String name) {
        return groups.get(name);
    }

    public synchronized Template template(String id) {
        return templates.get(id);
    }

    public synchronized Instance instance(String id) {
        return instances.get(id);
    }

    /** The ids of a group's current instances, oldest first. */
    public synchronized List<String> instanceIds(String group) {
        return List.copyOf(groups.get(group).instanceIds);
    }

    /**
     * A spot interruption: the instance is terminated and leaves its group at once; the group
     * then launches a replacement to keep its desired capacity, as Auto Scaling does.
     */
    public synchronized void interrupt(String instanceId, boolean replace) {
        Instance instance = instances.get(instanceId);
        Group group = groups.get(instance.group);
        instance.lifecycleState = "Terminated";
        instance.ec2State = "terminated";
        group.instanceIds.remove(instanceId);
        activities.add(new ActivityRecord(UUID.randomUUID().toString(), group.name, "Terminating EC2 instance: " + instanceId,
                "At " + clock.instant() + " an instance was taken out of service in response to an EC2 instance rebalance recommendation or spot interruption.",
                clock.instant(), clock.instant()));
        if (replace) {
            reconcile(group, "An instance was started in response to a difference between desired and actual capacity");
        }
    }

    /** The next {@code times} calls of {@code action} are throttled (then it answers normally). */
    public synchronized void throttle(String action, int times) {
        boolean ec2 = !isAutoScalingAction(action);
        for (int i = 0; i < times; i++) {
            queue(action, ec2 ? new Fault("RequestLimitExceeded", "Request limit exceeded.", 503)
                    : new Fault("Throttling", "Rate exceeded", 400));
        }
    }

    /** The next call of {@code action} is denied, as IAM does when the role lacks the permission. */
    public synchronized void denyAccess(String action) {
        boolean ec2 = !isAutoScalingAction(action);
        queue(action, ec2 ? new Fault("UnauthorizedOperation", "You are not authorized to perform this operation.", 403)
                : new Fault("AccessDenied", "User: arn:aws:sts::" + ACCOUNT + ":assumed-role/yardmaster/console is not authorized to perform: autoscaling:"
                        + action + " because no identity-based policy allows the autoscaling:" + action + " action", 403));
    }

    /** The next call of {@code action} fails with a ValidationError carrying {@code message}. */
    public synchronized void validationError(String action, String message) {
        queue(action, new Fault(isAutoScalingAction(action) ? "ValidationError" : "InvalidParameterValue", message, 400));
    }

    public int calls(String action) {
        AtomicInteger count = calls.get(action);
        return count == null ? 0 : count.get();
    }

    /** Every request body received, for tests that check what went over the wire. */
    public synchronized List<String> requestBodies() {
        return List.copyOf(requestBodies);
    }

    private void queue(String action, Fault fault) {
        faults.computeIfAbsent(action, a -> new ArrayDeque<>()).add(fault);
    }

    private static boolean isAutoScalingAction(String action) {
        return action.contains("AutoScaling") || action.equals("SetDesiredCapacity") || action.equals("DescribeScalingActivities");
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String body = new String(raw, StandardCharsets.UTF_8);
            Map<String, String> params = parse(body);
            String action = params.getOrDefault("Action", "");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String service = serviceOf(authorization);
            boolean ec2 = "ec2".equals(service);
            calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
            String requestId = UUID.randomUUID().toString();
            Answer answer;
            synchronized (this) {
                requestBodies.add(body);
                String authProblem = checkSignature(exchange, raw, authorization);
                if (authProblem != null) {
                    answer = error(ec2, 403, authProblem.startsWith("InvalidClientTokenId") ? "InvalidClientTokenId" : "SignatureDoesNotMatch",
                            authProblem, requestId);
                } else {
                    Fault fault = Optional.ofNullable(faults.get(action)).map(Deque::poll).orElse(null);
                    if (fault != null) {
                        answer = error(ec2, fault.status(), fault.code(), fault.message(), requestId);
                    } else {
                        try {
                            answer = ec2 ? ec2(action, params, requestId) : autoScaling(action, params, requestId);
                        } catch (AwsFault f) {
                            answer = error(ec2, f.status, f.code, f.getMessage(), requestId);
                        }
                    }
                }
            }
            byte[] bytes = answer.xml().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/xml;charset=UTF-8");
            exchange.getResponseHeaders().add("x-amzn-RequestId", requestId);
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private record Answer(int status, String xml) {
    }

    static final class AwsFault extends RuntimeException {
        final int status;
        final String code;

        AwsFault(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private static Answer error(boolean ec2, int status, String code, String message, String requestId) {
        if (ec2) {
            return new Answer(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + esc(code)
                    + "</Code><Message>" + esc(message) + "</Message></Error></Errors><RequestID>" + requestId + "</RequestID></Response>");
        }
        String type = status >= 500 ? "Receiver" : "Sender";
        return new Answer(status, "<ErrorResponse xmlns=\"" + AS_NS + "\"><Error><Type>" + type + "</Type><Code>" + esc(code)
                + "</Code><Message>" + esc(message) + "</Message></Error><RequestId>" + requestId + "</RequestId></ErrorResponse>");
    }

    // ------------------------------------------------------------------ SigV4

    private static String serviceOf(String authorization) {
        if (authorization == null) {
            return "";
        }
        int at = authorization.indexOf("Credential=");
        if (at < 0) {
            return "";
        }
        String[] scope = authorization.substring(at + 11, authorization.indexOf(',', at)).split("/");
        return scope.length >= 4 ? scope[3] : "";
    }

    /** Null when the request is signed with the test credentials, else the error code and message. */
    private String checkSignature(HttpExchange exchange, byte[] body, String authorization) {
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            return "InvalidClientTokenId: the request is not signed with SigV4";
        }
        Map<String, String> parts = new HashMap<>();
        for (String part : authorization.substring(17).split(",")) {
            String[] kv = part.strip().split("=", 2);
            parts.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        String[] scope = parts.getOrDefault("Credential", "").split("/");
        if (scope.length != 5 || !scope[0].equals(ACCESS_KEY_ID)) {
            return "InvalidClientTokenId: The security token included in the request is invalid.";
        }
        String amzDate = exchange.getRequestHeaders().getFirst("X-Amz-Date");
        List<String> signed = List.of(parts.getOrDefault("SignedHeaders", "").split(";"));
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signed) {
            List<String> values = exchange.getRequestHeaders().get(name);
            String value = values == null ? "" : values.stream().map(v -> v.strip().replaceAll(" +", " ")).collect(Collectors.joining(","));
            canonicalHeaders.append(name).append(':').append(value).append('\n');
        }
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        String canonical = exchange.getRequestMethod() + "\n" + (path == null || path.isEmpty() ? "/" : path) + "\n"
                + (query == null ? "" : query) + "\n" + canonicalHeaders + "\n" + String.join(";", signed) + "\n" + sha256Hex(body);
        String scopeText = scope[1] + "/" + scope[2] + "/" + scope[3] + "/" + scope[4];
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scopeText + "\n" + sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + SECRET_ACCESS_KEY).getBytes(StandardCharsets.UTF_8), scope[1]);
        key = hmac(key, scope[2]);
        key = hmac(key, scope[3]);
        key = hmac(key, scope[4]);
        String expected = HexFormat.of().formatHex(hmac(key, toSign));
        if (!expected.equals(parts.get("Signature"))) {
            return "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.";
        }
        return null;
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ Auto Scaling

    private Answer autoScaling(String action, Map<String, String> p, String requestId) {
        StringBuilder x = new StringBuilder();
        switch (action) {
            case "DescribeAutoScalingGroups" -> {
                List<String> names = list(p, "AutoScalingGroupNames.member");
                Map<String, List<String>> filters = filters(p, "Filters.member", "Values.member");
                x.append("<AutoScalingGroups>");
                for (Group g : groups.values()) {
                    if (!names.isEmpty() && !names.contains(g.name)) {
                        continue;
                    }
                    if (!matches(g, filters)) {
                        continue;
                    }
                    x.append("<member>");
                    tag(x, "AutoScalingGroupName", g.name);
                    tag(x, "AutoScalingGroupARN", g.arn());
                    if (g.templateId != null) {
                        Template t = templates.get(g.templateId);
                        x.append("<LaunchTemplate>");
                        tag(x, "LaunchTemplateId", t.id);
                        tag(x, "LaunchTemplateName", t.name);
                        tag(x, "Version", g.templateVersion);
                        x.append("</LaunchTemplate>");
                    }
                    tag(x, "MinSize", g.min);
                    tag(x, "MaxSize", g.max);
                    tag(x, "DesiredCapacity", g.desired);
                    tag(x, "DefaultCooldown", g.cooldown);
                    x.append("<AvailabilityZones><member>us-east-1a</member><member>us-east-1b</member></AvailabilityZones>");
                    tag(x, "HealthCheckType", "EC2");
                    tag(x, "HealthCheckGracePeriod", 300);
                    x.append("<Instances>");
                    for (String id : g.instanceIds) {
                        Instance i = instances.get(id);
                        x.append("<member>");
                        asInstance(x, i);
                        x.append("</member>");
                    }
                    x.append("</Instances>");
                    tag(x, "CreatedTime", g.createdAt);
                    x.append("<Tags>");
                    for (var t : g.tags.entrySet()) {
                        x.append("<member>");
                        tag(x, "ResourceId", g.name);
                        tag(x, "ResourceType", "auto-scaling-group");
                        tag(x, "Key", t.getKey());
                        tag(x, "Value", t.getValue());
                        tag(x, "PropagateAtLaunch", true);
                        x.append("</member>");
                    }
                    x.append("</Tags>");
                    x.append("<TerminationPolicies><member>Default</member></TerminationPolicies>");
                    tag(x, "NewInstancesProtectedFromScaleIn", false);
                    x.append("</member>");
                }
                x.append("</AutoScalingGroups>");
            }
            case "DescribeAutoScalingInstances" -> {
                List<String> ids = list(p, "InstanceIds.member");
                x.append("<AutoScalingInstances>");
                for (String id : ids) {
                    Instance i = instances.get(id);
                    if (i == null || !groups.containsKey(i.group) || !groups.get(i.group).instanceIds.contains(id)) {
                        continue;
                    }
                    x.append("<member>");
                    tag(x, "AutoScalingGroupName", i.group);
                    asInstance(x, i);
                    x.append("</member>");
                }
                x.append("</AutoScalingInstances>");
            }
            case "SetDesiredCapacity" -> {
                Group g = requireGroup(p.get("AutoScalingGroupName"));
                int desired = Integer.parseInt(p.get("DesiredCapacity"));
                boolean honor = "true".equals(p.get("HonorCooldown"));
                if (desired > g.max) {
                    throw new AwsFault(400, "ValidationError", "New SetDesiredCapacity value " + desired + " is above max value " + g.max
                            + " for the AutoScalingGroup.");
                }
                if (desired < g.min) {
                    throw new AwsFault(400, "ValidationError", "New SetDesiredCapacity value " + desired + " is below min value " + g.min
                            + " for the AutoScalingGroup.");
                }
                if (honor && g.lastScaledAt != null && g.lastScaledAt.plusSeconds(g.cooldown).isAfter(clock.instant())) {
                    throw new AwsFault(400, "ScalingActivityInProgress",
                            "You cannot set desired capacity while a scaling activity is in progress or the cooldown period is in effect.");
                }
                g.desired = desired;
                g.lastScaledAt = clock.instant();
                reconcile(g, "At " + clock.instant() + " a user request explicitly set group desired capacity changing the desired capacity to " + desired + ".");
                return new Answer(200, "<SetDesiredCapacityResponse xmlns=\"" + AS_NS + "\"><ResponseMetadata><RequestId>" + requestId
                        + "</RequestId></ResponseMetadata></SetDesiredCapacityResponse>");
            }
            case "DescribeScalingActivities" -> {
                String name = p.get("AutoScalingGroupName");
                int max = Integer.parseInt(p.getOrDefault("MaxRecords", "100"));
                List<ActivityRecord> mine = activities.stream().filter(a -> name == null || a.group().equals(name)).toList();
                x.append("<Activities>");
                for (int k = mine.size() - 1, n = 0; k >= 0 && n < max; k--, n++) {
                    ActivityRecord a = mine.get(k);
                    x.append("<member>");
                    tag(x, "ActivityId", a.id());
                    tag(x, "AutoScalingGroupName", a.group());
                    tag(x, "Description", a.description());
                    tag(x, "Cause", a.cause());
                    tag(x, "StartTime", a.start());
                    tag(x, "EndTime", a.end());
                    tag(x, "StatusCode", "Successful");
                    tag(x, "Progress", 100);
                    tag(x, "Details", "{\"Subnet ID\":\"subnet-0fake\",\"Availability Zone\":\"us-east-1a\"}");
                    tag(x, "AutoScalingGroupARN", groups.containsKey(a.group()) ? groups.get(a.group()).arn() : "");
                    x.append("</member>");
                }
                x.append("</Activities>");
            }
            default -> throw new AwsFault(400, "InvalidAction", "The action " + action + " is not valid for this web service.");
        }
        return new Answer(200, "<" + action + "Response xmlns=\"" + AS_NS + "\"><" + action + "Result>" + x + "</" + action
                + "Result><ResponseMetadata><RequestId>" + requestId + "</RequestId></ResponseMetadata></" + action + "Response>");
    }

    private boolean matches(Group g, Map<String, List<String>> filters) {
        for (var f : filters.entrySet()) {
            boolean ok = switch (f.getKey()) {
                case "tag-key" -> f.getValue().stream().anyMatch(g.tags::containsKey);
                default -> throw new AwsFault(400, "ValidationError", "Filter " + f.getKey() + " is not supported by this fake.");
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private void asInstance(StringBuilder x, Instance i) {
        tag(x, "InstanceId", i.id);
        tag(x, "InstanceType", "m7i.large");
        tag(x, "AvailabilityZone", i.az);
        tag(x, "LifecycleState", i.lifecycleState);
        tag(x, "HealthStatus", "Healthy");
        if (i.templateId != null) {
            x.append("<LaunchTemplate>");
            tag(x, "LaunchTemplateId", i.templateId);
            tag(x, "LaunchTemplateName", templates.get(i.templateId).name);
            tag(x, "Version", Long.toString(i.templateVersion));
            x.append("</LaunchTemplate>");
        }
        tag(x, "ProtectedFromScaleIn", false);
    }

    private Group requireGroup(String name) {
        Group g = groups.get(name);
        if (g == null) {
            throw new AwsFault(400, "ValidationError", "AutoScalingGroup name not found - AutoScalingGroup '" + name + "' not found");
        }
        return g;
    }

    /** Launches or terminates instances until the group runs its desired capacity. */
    private void reconcile(Group g, String cause) {
        while (g.instanceIds.size() < g.desired) {
            String id = "i-" + hex(17);
            long version = 0;
            if (g.templateId != null) {
                Template t = templates.get(g.templateId);
                version = g.templateVersion.equals("$Latest") ? t.latestVersion()
                        : g.templateVersion.equals("$Default") ? t.defaultVersion : Long.parseLong(g.templateVersion);
            }
            boolean spot = g.spot || (g.templateId != null && templates.get(g.templateId).spot);
            String az = (sequence++ % 2 == 0) ? "us-east-1a" : "us-east-1b";
            Instance instance = new Instance(id, g.name, nextAddress(), az, spot, clock.instant().truncatedTo(ChronoUnit.SECONDS),
                    g.templateId, version);
            instances.put(id, instance);
            g.instanceIds.add(id);
            activities.add(new ActivityRecord(UUID.randomUUID().toString(), g.name, "Launching a new EC2 instance: " + id, cause,
                    clock.instant(), clock.instant().plus(Duration.ofSeconds(1))));
        }
        while (g.instanceIds.size() > g.desired) {
            String id = g.instanceIds.remove(g.instanceIds.size() - 1);
            Instance instance = instances.get(id);
            instance.lifecycleState = "Terminated";
            instance.ec2State = "terminated";
            activities.add(new ActivityRecord(UUID.randomUUID().toString(), g.name, "Terminating EC2 instance: " + id, cause,
                    clock.instant(), clock.instant().plus(Duration.ofSeconds(1))));
        }
    }

    private String nextAddress() {
        if (!addressPool.isEmpty()) {
            return addressPool.poll();
        }
        int n = nextAddress++;
        return "10.0." + (n / 250) + "." + (n % 250 + 1);
    }

    // ------------------------------------------------------------------ EC2

    private Answer ec2(String action, Map<String, String> p, String requestId) {
        StringBuilder x = new StringBuilder();
        switch (action) {
            case "DescribeInstances" -> {
                List<String> ids = new ArrayList<>(list(p, "InstanceId"));
                Map<String, List<String>> filters = filters(p, "Filter", "Value");
                for (var f : filters.entrySet()) {
                    if (!f.getKey().equals("instance-id")) {
                        throw new AwsFault(400, "InvalidParameterValue", "The filter '" + f.getKey() + "' is not supported by this fake");
                    }
                }
                for (String id : ids) {
                    if (!instances.containsKey(id)) {
                        throw new AwsFault(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
                    }
                }
                List<String> wanted = filters.containsKey("instance-id") ? filters.get("instance-id") : ids;
                x.append("<reservationSet>");
                for (Instance i : instances.values()) {
                    if (!wanted.isEmpty() && !wanted.contains(i.id)) {
                        continue;
                    }
                    x.append("<item>");
                    tag(x, "reservationId", "r-" + i.id.substring(2));
                    tag(x, "ownerId", ACCOUNT);
                    x.append("<groupSet/><instancesSet><item>");
                    tag(x, "instanceId", i.id);
                    tag(x, "imageId", "ami-0fake0000000000001");
                    x.append("<instanceState>");
                    tag(x, "code", switch (i.ec2State) {
                        case "running" -> 16;
                        case "shutting-down" -> 32;
                        case "terminated" -> 48;
                        default -> 0;
                    });
                    tag(x, "name", i.ec2State);
                    x.append("</instanceState>");
                    tag(x, "privateDnsName", i.ec2State.equals("terminated") ? "" : i.privateDns());
                    tag(x, "dnsName", "");
                    tag(x, "instanceType", "m7i.large");
                    tag(x, "launchTime", i.launchTime);
                    x.append("<placement>");
                    tag(x, "availabilityZone", i.az);
                    tag(x, "tenancy", "default");
                    x.append("</placement>");
                    if (!i.ec2State.equals("terminated")) {
                        tag(x, "privateIpAddress", i.privateIp);
                    }
                    if (i.spot) {
                        tag(x, "instanceLifecycle", "spot");
                        tag(x, "spotInstanceRequestId", "sir-" + i.id.substring(2, 10));
                    }
                    x.append("<tagSet><item>");
                    tag(x, "key", "aws:autoscaling:groupName");
                    tag(x, "value", i.group);
                    x.append("</item></tagSet>");
                    x.append("</item></instancesSet></item>");
                }
                x.append("</reservationSet>");
            }
            case "DescribeLaunchTemplates" -> {
                List<String> ids = list(p, "LaunchTemplateId");
                List<String> names = list(p, "LaunchTemplateName");
                x.append("<launchTemplates>");
                for (String id : ids) {
                    if (!templates.containsKey(id)) {
                        throw new AwsFault(400, "InvalidLaunchTemplateId.NotFound",
                                "At least one of the launch templates specified in the request does not exist.");
                    }
                }
                for (Template t : templates.values()) {
                    if ((!ids.isEmpty() && !ids.contains(t.id)) || (!names.isEmpty() && !names.contains(t.name))) {
                        continue;
                    }
                    x.append("<item>");
                    templateHead(x, t);
                    tag(x, "defaultVersionNumber", t.defaultVersion);
                    tag(x, "latestVersionNumber", t.latestVersion());
                    x.append("</item>");
                }
                x.append("</launchTemplates>");
            }
            case "DescribeLaunchTemplateVersions" -> {
                Template t = requireTemplate(p.get("LaunchTemplateId"));
                List<String> versions = list(p, "LaunchTemplateVersion");
                x.append("<launchTemplateVersionSet>");
                for (Long v : t.userData.keySet()) {
                    boolean wanted = versions.isEmpty() || versions.contains(Long.toString(v))
                            || (versions.contains("$Default") && v == t.defaultVersion)
                            || (versions.contains("$Latest") && v == t.latestVersion());
                    if (wanted) {
                        templateVersion(x, "item", t, v);
                    }
                }
                x.append("</launchTemplateVersionSet>");
            }
            case "CreateLaunchTemplateVersion" -> {
                Template t = requireTemplate(p.get("LaunchTemplateId"));
                String source = p.get("SourceVersion");
                long from = source == null ? t.latestVersion() : Long.parseLong(source);
                if (!t.userData.containsKey(from)) {
                    throw new AwsFault(400, "InvalidLaunchTemplateVersion.NotFound", "The specified version " + source + " does not exist.");
                }
                String userData = p.containsKey("LaunchTemplateData.UserData") ? p.get("LaunchTemplateData.UserData") : t.userData.get(from);
                if (userData != null) {
                    try {
                        Base64.getDecoder().decode(userData);
                    } catch (IllegalArgumentException e) {
                        throw new AwsFault(400, "InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.");
                    }
                }
                long version = t.latestVersion() + 1;
                t.userData.put(version, userData);
                t.descriptions.put(version, p.get("VersionDescription"));
                templateVersion(x, "launchTemplateVersion", t, version);
            }
            case "ModifyLaunchTemplate" -> {
                Template t = requireTemplate(p.get("LaunchTemplateId"));
                long version = Long.parseLong(p.get("SetDefaultVersion"));
                if (!t.userData.containsKey(version)) {
                    throw new AwsFault(400, "InvalidLaunchTemplateVersion.NotFound", "The specified version " + version + " does not exist.");
                }
                t.defaultVersion = version;
                x.append("<launchTemplate>");
                templateHead(x, t);
                tag(x, "defaultVersionNumber", t.defaultVersion);
                tag(x, "latestVersionNumber", t.latestVersion());
                x.append("</launchTemplate>");
            }
            default -> throw new AwsFault(400, "InvalidAction", "The action " + action + " is not valid for this web service.");
        }
        return new Answer(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + action + "Response xmlns=\"" + EC2_NS + "\"><requestId>"
                + requestId + "</requestId>" + x + "</" + action + "Response>");
    }

    private Template requireTemplate(String id) {
        Template t = id == null ? null : templates.get(id);
        if (t == null) {
            throw new AwsFault(400, "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID " + id
                    + ", does not exist.");
        }
        return t;
    }

    private void templateHead(StringBuilder x, Template t) {
        tag(x, "launchTemplateId", t.id);
        tag(x, "launchTemplateName", t.name);
        tag(x, "createTime", t.createdAt);
        tag(x, "createdBy", "arn:aws:iam::" + ACCOUNT + ":user/ops");
    }

    private void templateVersion(StringBuilder x, String element, Template t, long v) {
        x.append('<').append(element).append('>');
        tag(x, "launchTemplateId", t.id);
        tag(x, "launchTemplateName", t.name);
        tag(x, "versionNumber", v);
        tag(x, "versionDescription", t.descriptions.get(v));
        tag(x, "createTime", t.createdAt);
        tag(x, "createdBy", "arn:aws:iam::" + ACCOUNT + ":user/ops");
        tag(x, "defaultVersion", v == t.defaultVersion);
        x.append("<launchTemplateData>");
        tag(x, "imageId", "ami-0fake0000000000001");
        tag(x, "instanceType", "m7i.large");
        if (t.userData.get(v) != null) {
            tag(x, "userData", t.userData.get(v));
        }
        if (t.spot) {
            x.append("<instanceMarketOptions><marketType>spot</marketType><spotOptions><maxPrice>0.05</maxPrice></spotOptions></instanceMarketOptions>");
        }
        x.append("</launchTemplateData>");
        x.append("</").append(element).append('>');
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, String> parse(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return params;
    }

    /** Values of prefix.1, prefix.2, ... */
    private static List<String> list(Map<String, String> p, String prefix) {
        List<String> values = new ArrayList<>();
        for (int i = 1; p.containsKey(prefix + "." + i); i++) {
            values.add(p.get(prefix + "." + i));
        }
        return values;
    }

    private static Map<String, List<String>> filters(Map<String, String> p, String prefix, String valuesPrefix) {
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (int i = 1; p.containsKey(prefix + "." + i + ".Name"); i++) {
            filters.put(p.get(prefix + "." + i + ".Name"), list(p, prefix + "." + i + "." + valuesPrefix));
        }
        return filters;
    }

    private static void tag(StringBuilder x, String name, Object value) {
        if (value == null) {
            return;
        }
        String text = value instanceof Instant instant ? instant.truncatedTo(ChronoUnit.MILLIS).toString() : value.toString();
        x.append('<').append(name).append('>').append(esc(text)).append("</").append(name).append('>');
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String hex(int length) {
        StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            s.append(UUID.randomUUID().toString().replace("-", ""));
        }
        return s.substring(0, length);
    }
}
