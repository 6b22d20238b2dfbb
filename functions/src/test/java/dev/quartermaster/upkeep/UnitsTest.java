package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quartermaster.contract.Upkeep;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UnitsTest {
    private static final Upkeep.MapSpec SPEC = new Upkeep.MapSpec("T", 100, 3, 2);

    @Test
    void pack_fillsAUnitUpToItsBytes_thenStartsTheNext_keepingTheOrder() {
        ArrayNode units = Units.pack(items(40, 40, 30, 10, 90), SPEC);

        assertThat(units).extracting(u -> u.path("bytes").asLong()).containsExactly(80L, 40L, 90L);
        assertThat(Units.items(units)).extracting(JsonNode::asInt).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void pack_anItemHeavierThanAUnit_isAUnitOfItsOwn_andAUnitHoldsAtMostItsItemCount() {
        ArrayNode units = Units.pack(items(1, 500, 1, 1, 1, 1), SPEC);

        assertThat(units).extracting(u -> u.path("items").size()).containsExactly(1, 1, 3, 1);
        assertThat(units.get(1).path("bytes").asLong()).isEqualTo(500);
    }

    @Test
    void aFullBatchOfTheLargestRehashUnits_fitsTheBatchersInputLimit() {
        Upkeep.MapSpec rehash = Upkeep.ARCHIVE_SCRUB.map("Rehash");
        List<UpkeepJob.Item> blobs = new ArrayList<>();
        for (int i = 0; i < rehash.batchItems(); i++) {
            var n = JsonNodeFactory.instance.objectNode();
            n.put("digest", "sha256:" + "a".repeat(64));
            n.put("size", 9_999_999_999L);
            blobs.add(new UpkeepJob.Item(n, 1));
        }
        ArrayNode units = Units.pack(blobs, rehash);

        assertThat(units).hasSize(rehash.unitsPerBatch());
        assertThat(units.toString().length()).isLessThan(Upkeep.MAX_INPUT_BYTES_PER_BATCH);
    }

    private static List<UpkeepJob.Item> items(long... bytes) {
        List<UpkeepJob.Item> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            out.add(new UpkeepJob.Item(JsonNodeFactory.instance.numberNode(i), bytes[i]));
        }
        return out;
    }
}
