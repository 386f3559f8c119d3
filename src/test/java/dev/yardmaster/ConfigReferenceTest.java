package dev.yardmaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's configuration table and the {@code @ConfigMapping} interfaces in step:
 * every property of every mapping in {@code dev.yardmaster} has a row (with its default) and
 * Javadoc, and every {@code yardmaster.*} row names a property that exists. Generic on purpose:
 * a feature adding a mapping only has to document it.
 */
class ConfigReferenceTest {

    /** A property of a mapping: its path ({@code <name>} for map keys), default, and where it is declared. */
    record Property(String path, String defaultValue, Method method) {
    }

    static List<Class<?>> mappings;
    static Map<String, Property> properties;
    static Map<String, String> readmeRows;

    @BeforeAll
    static void scan() throws Exception {
        mappings = configMappings();
        properties = new TreeMap<>();
        for (Class<?> mapping : mappings) {
            walk(mapping, mapping.getAnnotation(ConfigMapping.class).prefix(), properties);
        }
        readmeRows = readmeConfigurationTable();
    }

    @Test
    void everyConfigMappingInTheApplicationIsFound() {
        assertThat(mappings).extracting(Class::getSimpleName).contains("LifecycleConfig", "WebhookConfig");
        assertThat(properties).containsKeys("yardmaster.lifecycle.environments", "yardmaster.webhooks.endpoints.<*>.url");
    }

    @Test
    void everyPropertyHasARowInTheReadmeConfigurationTable() {
        List<String> missing = properties.keySet().stream().filter(p -> !readmeRows.containsKey(p)).toList();
        assertThat(missing).as("properties without a row in README.md's configuration table (add `| `<property>` | "
                + "`<default>` | <meaning> |`, map keys as <name>)").isEmpty();
    }

    @Test
    void everyReadmeRowShowsTheDefaultFromTheMapping() {
        List<String> wrong = new ArrayList<>();
        properties.values().stream().filter(p -> p.defaultValue() != null && readmeRows.containsKey(p.path()))
                .forEach(p -> {
                    if (!readmeRows.get(p.path()).contains("`" + p.defaultValue() + "`")) {
                        wrong.add(p.path() + ": README says " + readmeRows.get(p.path()).strip() + ", @WithDefault is `"
                                + p.defaultValue() + "`");
                    }
                });
        assertThat(wrong).as("README default columns that disagree with @WithDefault").isEmpty();
    }

    @Test
    void everyYardmasterRowInTheReadmeNamesAnExistingProperty() {
        List<String> stale = readmeRows.keySet().stream().filter(p -> p.startsWith("yardmaster."))
                .filter(p -> !properties.containsKey(p)).toList();
        assertThat(stale).as("README rows for yardmaster.* settings no @ConfigMapping declares").isEmpty();
    }

    @Test
    void everyPropertyHasJavadoc() throws IOException {
        List<String> undocumented = new ArrayList<>();
        for (Property property : properties.values()) {
            if (!hasJavadoc(property.method())) {
                undocumented.add(property.path() + " (" + property.method().getDeclaringClass().getName() + "."
                        + property.method().getName() + "())");
            }
        }
        assertThat(undocumented).as("@ConfigMapping methods without a Javadoc comment").isEmpty();
    }

    // ---- the mappings ------------------------------------------------------------------------

    static List<Class<?>> configMappings() throws IOException, URISyntaxException, ClassNotFoundException {
        // The application's compiled classes, wherever the build put them (not the test classes).
        Path root = Path.of(LifecycleConfigAnchor.location()).resolve("dev/yardmaster");
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.getParent().getParent().relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, ConfigReferenceTest.class.getClassLoader());
                if (type.isInterface() && type.isAnnotationPresent(ConfigMapping.class)) {
                    found.add(type);
                }
            }
        }
        return found;
    }

    /** Finds target/classes through a class every build has. */
    static final class LifecycleConfigAnchor {
        static java.net.URI location() throws URISyntaxException {
            return dev.yardmaster.environment.LifecycleConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        }
    }

    static void walk(Class<?> group, String prefix, Map<String, Property> into) {
        for (Method method : group.getMethods()) {
            if (method.getParameterCount() > 0 || method.isDefault() || Modifier.isStatic(method.getModifiers())
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            String segment = method.isAnnotationPresent(WithParentName.class) ? ""
                    : method.isAnnotationPresent(WithName.class) ? method.getAnnotation(WithName.class).value()
                            : kebab(method.getName());
            String path = segment.isEmpty() ? prefix : prefix + "." + segment;
            property(method, path, method.getGenericReturnType(), into);
        }
    }

    static void property(Method method, String path, Type type, Map<String, Property> into) {
        Class<?> raw = raw(type);
        if (raw == Optional.class) {
            property(method, path, argument(type, 0), into);
        } else if (Map.class.isAssignableFrom(raw) && isGroup(raw(argument(type, 1)))) {
            walk(raw(argument(type, 1)), path + ".<*>", into);
        } else if (Map.class.isAssignableFrom(raw)) {
            leaf(method, path + ".<*>", into);
        } else if (List.class.isAssignableFrom(raw) && isGroup(raw(argument(type, 0)))) {
            walk(raw(argument(type, 0)), path + "[<*>]", into);
        } else if (isGroup(raw)) {
            walk(raw, path, into);
        } else {
            leaf(method, path, into);
        }
    }

    static void leaf(Method method, String path, Map<String, Property> into) {
        WithDefault withDefault = method.getAnnotation(WithDefault.class);
        into.put(path, new Property(path, withDefault == null ? null : withDefault.value(), method));
    }

    static boolean isGroup(Class<?> type) {
        return type.isInterface() && !type.getName().startsWith("java.");
    }

    static Class<?> raw(Type type) {
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    static Type argument(Type type, int index) {
        return ((ParameterizedType) type).getActualTypeArguments()[index];
    }

    static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    // ---- the README --------------------------------------------------------------------------

    static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** First-column properties of the table under "## Configuration" (map keys as {@code <*>}) → the row's other cells. */
    static Map<String, String> readmeConfigurationTable() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("## Configuration");
        assertThat(start).as("README.md has a '## Configuration' section").isNotNegative();
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (!line.startsWith("|")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|", -1);
            if (cells.length < 3) {
                continue;
            }
            String rest = Stream.of(cells).skip(2).collect(Collectors.joining("|"));
            Matcher code = CODE.matcher(cells[1]);
            while (code.find()) {
                String property = code.group(1).replaceAll("<[^>]*>", "<*>");
                if (property.contains(".")) {
                    rows.put(property, rest);
                }
            }
        }
        return rows;
    }

    // ---- Javadoc -----------------------------------------------------------------------------

    /** Whether the method's declaration in its source file is preceded by a Javadoc comment. */
    static boolean hasJavadoc(Method method) throws IOException {
        Class<?> outer = method.getDeclaringClass();
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        Path source = Path.of("src/main/java", outer.getName().replace('.', '/') + ".java");
        String text = Files.readString(source);
        String body = text.substring(text.indexOf("interface " + method.getDeclaringClass().getSimpleName() + " "));
        Matcher declaration = Pattern.compile("[\\w<>,.?\\[\\] ]+\\s" + method.getName() + "\\(\\)\\s*;").matcher(body);
        if (!declaration.find()) {
            return false;
        }
        // Walk back over annotations (@WithDefault("...")) and blank lines to the comment.
        String before = body.substring(0, declaration.start()).stripTrailing();
        String[] lines = before.split("\n");
        int i = lines.length - 1;
        while (i >= 0 && (lines[i].strip().startsWith("@") || lines[i].isBlank())) {
            i--;
        }
        return i >= 0 && lines[i].strip().endsWith("*/") && String.join("\n", List.of(lines).subList(0, i + 1)).contains("/**");
    }
}
