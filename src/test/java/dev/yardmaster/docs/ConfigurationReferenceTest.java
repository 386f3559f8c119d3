package dev.yardmaster.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's configuration table and the {@code @ConfigMapping} interfaces in step:
 * every property a feature declares must be in the table and carry Javadoc, so the
 * reference cannot drift from the code.
 */
class ConfigurationReferenceTest {

    static final Path CLASSES = Path.of("target", "classes");
    static final Path SOURCES = Path.of("src", "main", "java");

    @Test
    void everyPropertyIsInTheReadmeTable() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> missing = new ArrayList<>();
        for (Class<?> mapping : mappings()) {
            String prefix = mapping.getAnnotation(ConfigMapping.class).prefix();
            for (String property : properties(prefix, mapping)) {
                if (!readme.contains("`" + property + "`")) {
                    missing.add(property + " (" + mapping.getSimpleName() + ")");
                }
            }
        }
        assertThat(missing).as("properties missing from README.md's configuration table").isEmpty();
    }

    @Test
    void everyPropertyHasJavadoc() throws Exception {
        List<String> undocumented = new ArrayList<>();
        for (Class<?> mapping : mappings()) {
            Path source = SOURCES.resolve(mapping.getName().replaceAll("\\$.*", "").replace('.', '/') + ".java");
            String text = Files.readString(source);
            for (Method method : mapping.getDeclaredMethods()) {
                if (method.isDefault() || method.isSynthetic() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                    continue;
                }
                // The declaration, preceded by its Javadoc and any annotations.
                Matcher m = Pattern.compile("\\*/\\s*(@[\\w.]+(\\([^)]*\\))?\\s*)*[\\w<>,.? ]+\\s+"
                        + Pattern.quote(method.getName()) + "\\(\\)\\s*;").matcher(text);
                if (!m.find()) {
                    undocumented.add(mapping.getSimpleName() + "." + method.getName());
                }
            }
        }
        assertThat(undocumented).as("config properties without Javadoc").isEmpty();
    }

    @Test
    void theScanFindsTheKnownMappings() throws Exception {
        assertThat(mappings()).extracting(Class::getSimpleName).contains("LifecycleConfig", "WebhookConfig");
    }

    static List<Class<?>> mappings() throws IOException, ClassNotFoundException {
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("dev/yardmaster"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, ConfigurationReferenceTest.class.getClassLoader());
                if (type.isInterface() && type.isAnnotationPresent(ConfigMapping.class)) {
                    found.add(type);
                }
            }
        }
        return found;
    }

    static List<String> properties(String prefix, Class<?> group) {
        List<String> names = new ArrayList<>();
        for (Method method : group.getDeclaredMethods()) {
            if (method.isDefault() || method.isSynthetic() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            WithName rename = method.getAnnotation(WithName.class);
            String name = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (rename != null ? rename.value() : kebab(method.getName()));
            Type type = method.getGenericReturnType();
            Class<?> raw = method.getReturnType();
            if (raw == Map.class && type instanceof ParameterizedType p && p.getActualTypeArguments()[1] instanceof Class<?> v
                    && isGroup(v)) {
                names.addAll(properties(name + ".<name>", v));
            } else if (raw == Map.class) {
                names.add(name + ".<name>");
            } else if (raw == Optional.class && type instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> v && isGroup(v)) {
                names.addAll(properties(name, v));
            } else if (isGroup(raw)) {
                names.addAll(properties(name, raw));
            } else {
                names.add(name);
            }
        }
        return names;
    }

    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("dev.yardmaster.");
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
