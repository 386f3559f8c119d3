package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * YAML inventories read as SnakeYAML nodes rather than objects: every node keeps the line it
 * was written on, so a refusal can name it, and nothing is constructed from tags.
 */
final class YamlNodes {

    private YamlNodes() {
    }

    /** The document's root node (null for an empty document); a syntax error is a 400 naming the line. */
    static Node read(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        try {
            return new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            throw InventoryFormat.badLine(line, "not readable as YAML: " + Names.printable(e.getProblem()) + ".");
        } catch (YAMLException e) {
            throw InventoryFormat.bad("Not readable as YAML: " + Names.printable(e.getMessage()));
        }
    }

    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    static boolean isNull(Node node) {
        return node == null || node.getTag().equals(Tag.NULL);
    }

    /** A mapping's entries by key, in order; anything else is a 400 naming the line and what was expected. */
    static Map<String, Node> mapping(Node node, String what) {
        Map<String, Node> entries = new LinkedHashMap<>();
        if (isNull(node)) {
            return entries;
        }
        if (!(node instanceof MappingNode map)) {
            throw InventoryFormat.badLine(line(node), what + " must be a mapping (key: value).");
        }
        for (NodeTuple tuple : map.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw InventoryFormat.badLine(line(tuple.getKeyNode()), "keys of " + what + " must be plain names.");
            }
            entries.put(key.getValue(), tuple.getValueNode());
        }
        return entries;
    }

    static List<Node> sequence(Node node, String what) {
        if (!(node instanceof SequenceNode list)) {
            throw InventoryFormat.badLine(line(node), what + " must be a list.");
        }
        return list.getValue();
    }

    /** A scalar as text (null for a YAML null); a list or mapping is a 400. */
    static String text(Node node, String what) {
        if (isNull(node)) {
            return null;
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw InventoryFormat.badLine(line(node), what + " must be a single value.");
        }
        return scalar.getValue();
    }

    /** A variable's value: text, or a list of texts. */
    static Object value(Node node, String what) {
        if (node instanceof SequenceNode list) {
            List<String> items = new ArrayList<>();
            for (Node item : list.getValue()) {
                items.add(text(item, what));
            }
            return items;
        }
        if (node instanceof MappingNode) {
            return new AnsibleInventory.Unsupported("a mapping");
        }
        return text(node, what);
    }

    /** A list of names: a YAML list, or one value with names separated by spaces or commas. */
    static List<String> names(Node node, String what) {
        if (isNull(node)) {
            return List.of();
        }
        if (node instanceof SequenceNode list) {
            List<String> items = new ArrayList<>();
            for (Node item : list.getValue()) {
                items.add(text(item, what));
            }
            return items;
        }
        return Inventory.list(text(node, what).replace(',', ' '));
    }
}
