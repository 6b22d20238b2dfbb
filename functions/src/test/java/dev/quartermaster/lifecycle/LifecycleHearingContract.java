package dev.quartermaster.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link LifecycleHearing} does: the twin and DynamoDB Local run the same cases. */
abstract class LifecycleHearingContract {
    static final Instant T = Instant.parse("2026-12-01T03:00:00Z");

    protected abstract LifecycleHearing hearing();

    @Test
    void lastHeard_isNullUntilAnEvent_thenTheNewestTime_perRepository() {
        LifecycleHearing h = hearing();
        assertThat(h.lastHeard("wordpress")).isNull();

        h.heard("wordpress", T);
        h.heard("wordpress", T.minusSeconds(3600)); // a late, older delivery
        h.heard("mariadb", T.plusSeconds(60));

        assertThat(h.lastHeard("wordpress")).isEqualTo(T);
        assertThat(h.lastHeard("mariadb")).isEqualTo(T.plusSeconds(60));
        h.heard("wordpress", T.plusSeconds(86400));
        assertThat(h.lastHeard("wordpress")).isEqualTo(T.plusSeconds(86400));
    }

    @Test
    void coverage_saysDeafOnlyWhenThePolicyRanImagesWentAndNothingWasHeard() {
        Instant now = T.plusSeconds(6 * 3600);
        var runs = new java.util.HashMap<String, Instant>();
        runs.put("wordpress", T); // ran, images deleted, never heard: deaf
        runs.put("mariadb", T); // ran, nothing deleted: silence proves nothing
        runs.put("tools", now.minusSeconds(60)); // ran a minute ago: CloudTrail may still deliver
        runs.put("new", null); // never ran

        var c = LifecycleHearing.coverage(runs, Map.of(), Set.of("wordpress", "tools", "new"), now);

        assertThat(c)
                .extracting(LifecycleHearing.Coverage::repository)
                .containsExactly("mariadb", "new", "tools", "wordpress");
        assertThat(c.get(3).deafness())
                .contains("never received a lifecycle event")
                .contains("-c cloudTrail=create");
        assertThat(c.subList(0, 3)).allMatch(x -> x.deafness() == null);
        assertThat(
                        LifecycleHearing.coverage(
                                        runs,
                                        Map.of("wordpress", T.plusSeconds(5)),
                                        Set.of("wordpress"),
                                        now)
                                .get(3)
                                .deafness())
                .as("heard once: the trail exists")
                .isNull();
    }
}
