package dev.yardmaster.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a check reads from rpm's answer (the query format with the epoch, as a roll's check). */
class DriftParseTest {

    @Test
    void epochsArchesLongerNamesAndMissingPackagesAreReadAsTheCatalogWritesThem() {
        Map<String, String> installed = Drift.parse(List.of("foo", "foo-bar", "baz", "qux"), List.of(
                "foo-3:2.0-1.el9.x86_64",
                "foo-bar-0:1.1-2.noarch",
                "package baz is not installed",
                "qux-1.0-1.noarch",
                "qux-1.2-1.noarch"));
        assertThat(installed).containsExactlyInAnyOrderEntriesOf(Map.of(
                "foo", "3:2.0-1.el9",   // the epoch is kept: Build.evr() has it
                "foo-bar", "1.1-2",     // epoch 0 is no epoch
                "qux", "1.2-1"));       // two versions installed: the newest
    }
}
