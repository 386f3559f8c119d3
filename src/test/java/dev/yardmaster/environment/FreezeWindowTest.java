package dev.yardmaster.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** Freeze windows as configured per environment: weekly ranges that wrap the weekend, and dates. */
class FreezeWindowTest {

    @Test
    void aWeeklyWindowWrapsOverTheWeekend() {
        FreezeWindow weekend = FreezeWindow.parse("Fri 16:00-Mon 08:00");
        // 2026-11-27 is a Friday.
        assertThat(weekend.contains(OffsetDateTime.parse("2026-11-27T15:59Z"))).isFalse();
        assertThat(weekend.contains(OffsetDateTime.parse("2026-11-27T16:00Z"))).isTrue();
        assertThat(weekend.contains(OffsetDateTime.parse("2026-11-29T12:00Z"))).isTrue();
        assertThat(weekend.contains(OffsetDateTime.parse("2026-11-30T07:59Z"))).isTrue();
        assertThat(weekend.contains(OffsetDateTime.parse("2026-11-30T08:00Z"))).isFalse();
        assertThat(weekend.contains(OffsetDateTime.parse("2026-11-25T12:00Z"))).isFalse();
    }

    @Test
    void aDatedWindowCoversOnlyItsDates() {
        FreezeWindow holidays = FreezeWindow.parse("2026-12-24T00:00-2026-12-27T00:00");
        assertThat(holidays.contains(OffsetDateTime.parse("2026-12-23T23:59Z"))).isFalse();
        assertThat(holidays.contains(OffsetDateTime.parse("2026-12-25T10:00Z"))).isTrue();
        assertThat(holidays.contains(OffsetDateTime.parse("2026-12-27T00:01Z"))).isFalse();
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> FreezeWindow.parse("whenever")).isInstanceOf(IllegalArgumentException.class);
    }
}
