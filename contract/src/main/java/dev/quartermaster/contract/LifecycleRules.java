package dev.quartermaster.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ECR lifecycle rules as cdk.json writes them ({@code lifecycleRules}, ECR's own shape): parsed,
 * validated at synth by ECR's rules, and rendered as the policy text ECR takes, with the protection
 * rule Quartermaster puts first. What the rules do to images (ECR's evaluation semantics) is the
 * functions' lifecycle engine's ({@code lifecycle/LifecycleEvaluation}); this shape says only which
 * tags a rule's selection names ({@link Rule#selects}).
 *
 * <p>Validation follows the ECR user guide's "Lifecycle policy properties" and "Examples of
 * lifecycle policies" pages: {@code storageClass} standard | archive, archive only with (and
 * required by) {@code sinceImageTransitioned}, which only expires and counts at least 90 days
 * (archive's minimum storage duration); {@code sinceImagePulled} only transitions; a {@code
 * transition} names {@code targetStorageClass: archive}. "A rule with tagStatus any must have the
 * highest rulePriority" holds within a storage class: the examples page's own archive-and-expire
 * policy has an {@code any} rule at priority 1 (standard) and one at 2 (archive).
 *
 * <p>Protection: the release switch tags each digest it releases {@code qm-release-…}; rule 1
 * selects that prefix by {@code sinceImagePushed} {@value #PROTECT_DAYS} days, which no image
 * reaches, so it acts on nothing and claims every marked image however many there are (a count
 * could be exhausted: 9,999 junk {@code qm-release-junkN} pushes would expire the oldest marked
 * digests under {@code imageCountMoreThan 9999}). No other rule can expire a released digest while
 * it carries the tag. Rules numbered from 1 move up by one behind it, in their order.
 */
public final class LifecycleRules {
    public static final String PROTECT_PREFIX = "qm-release-";

    /**
     * The protection rule's age in days (100 years): the user guide takes any positive integer as
     * countNumber and documents no maximum; an image pushed when ECR opened (2015) reaches it in
     * 2115.
     */
    public static final int PROTECT_DAYS = 36_500;

    /**
     * ECR's quota on a lifecycle policy's text, in characters (ECR user guide, "Amazon ECR service
     * quotas").
     */
    public static final int MAX_POLICY_LENGTH = 30_720;

    /**
     * Archive's minimum storage duration: ECR refuses a rule expiring archived images sooner
     * (examples page, note).
     */
    public static final int ARCHIVE_MINIMUM_DAYS = 90;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TAG_PATTERN = Pattern.compile("[A-Za-z0-9_.*-]{1,128}");
    private static final Pattern TAG_PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    public enum TagStatus {
        TAGGED,
        UNTAGGED,
        ANY
    }

    /**
     * The release mark of a digest: the prefix and the digest's 64 hex (75 characters, within ECR's
     * 128). It names its digest, so any other {@code qm-release-} tag on an image is not one the
     * release switch put there.
     */
    public static String markFor(String digest) {
        if (digest == null || !digest.matches("sha256:[a-f0-9]{64}")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return PROTECT_PREFIX + digest.substring("sha256:".length());
    }

    public enum CountType {
        IMAGE_COUNT_MORE_THAN("imageCountMoreThan"),
        SINCE_IMAGE_PUSHED("sinceImagePushed"),
        SINCE_IMAGE_PULLED("sinceImagePulled"),
        SINCE_IMAGE_TRANSITIONED("sinceImageTransitioned");
        final String ecr;

        CountType(String ecr) {
            this.ecr = ecr;
        }

        public String ecr() {
            return ecr;
        }
    }

    /** ECR's storage classes: an archived image cannot be pulled until restored. */
    public enum StorageClass {
        STANDARD,
        ARCHIVE
    }

    public enum Action {
        EXPIRE,
        TRANSITION
    }

    /**
     * One rule, validated. {@code prefixes} or {@code patterns} for a tagged rule (the other
     * empty); {@code priority} is the one deployed, {@code declared} the one cdk.json gave (they
     * differ when the rules were numbered from 1).
     */
    public record Rule(
            int priority,
            String description,
            TagStatus tagStatus,
            List<String> prefixes,
            List<String> patterns,
            CountType countType,
            int countNumber,
            Action action,
            StorageClass storageClass,
            int declared) {
        public Rule {
            prefixes = List.copyOf(prefixes);
            patterns = List.copyOf(patterns);
        }

        /** A rule on standard images, deployed at the priority it declares. */
        public Rule(
                int priority,
                String description,
                TagStatus tagStatus,
                List<String> prefixes,
                List<String> patterns,
                CountType countType,
                int countNumber,
                Action action) {
            this(
                    priority,
                    description,
                    tagStatus,
                    prefixes,
                    patterns,
                    countType,
                    countNumber,
                    action,
                    StorageClass.STANDARD,
                    priority);
        }

        Rule at(int deployed) {
            return new Rule(
                    deployed,
                    description,
                    tagStatus,
                    prefixes,
                    patterns,
                    countType,
                    countNumber,
                    action,
                    storageClass,
                    declared);
        }

        /** Whether the image's tags meet this rule's tagging requirements. */
        public boolean selects(Set<String> tags) {
            return switch (tagStatus) {
                case ANY -> true;
                case UNTAGGED -> tags.isEmpty();
                case TAGGED ->
                        !tags.isEmpty()
                                && prefixes.stream()
                                        .allMatch(p -> tags.stream().anyMatch(t -> t.startsWith(p)))
                                && patterns.stream()
                                        .allMatch(
                                                p ->
                                                        tags.stream()
                                                                .anyMatch(
                                                                        t ->
                                                                                wildcard(p)
                                                                                        .matcher(t)
                                                                                        .matches()));
            };
        }

        public boolean protection() {
            return priority == 1 && prefixes.equals(List.of(PROTECT_PREFIX));
        }

        public String label() {
            return "rule "
                    + priority
                    + (declared != priority ? " (cdk.json's " + declared + ")" : "")
                    + (description == null || description.isBlank()
                            ? ""
                            : " (" + description + ")");
        }
    }

    private final List<Rule> rules;

    private LifecycleRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The protection rule, then the user's rules by priority. */
    public List<Rule> rules() {
        return rules;
    }

    /**
     * The rules that have shipped since the first version: untagged after {@code untaggedDays}, the
     * newest {@code keep} images of any kind.
     */
    public static LifecycleRules defaults(int untaggedDays, int keep) {
        return of(
                List.of(
                        new Rule(
                                2,
                                "expire untagged images after " + untaggedDays + " days",
                                TagStatus.UNTAGGED,
                                List.of(),
                                List.of(),
                                CountType.SINCE_IMAGE_PUSHED,
                                untaggedDays,
                                Action.EXPIRE),
                        new Rule(
                                3,
                                "keep the last " + keep + " images",
                                TagStatus.ANY,
                                List.of(),
                                List.of(),
                                CountType.IMAGE_COUNT_MORE_THAN,
                                keep,
                                Action.EXPIRE)));
    }

    /**
     * The user's rules (ECR's JSON shape: a list of rules, or {"rules": [...]}) with the protection
     * rule first.
     *
     * @throws IllegalArgumentException listing what is wrong, each with how to fix it
     */
    public static LifecycleRules parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "lifecycleRules: not valid JSON ("
                            + e.getMessage().lines().findFirst().orElse("")
                            + ")");
        }
        if (root != null && root.isObject() && root.has("rules")) {
            root = root.get("rules");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException(
                    "lifecycleRules: must be a non-empty JSON list of ECR lifecycle rules");
        }
        List<String> errors = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode r : root) {
            i++;
            try {
                rules.add(rule(r, "lifecycleRules rule " + i + ": "));
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return of(rules);
    }

    private static LifecycleRules of(List<Rule> user) {
        List<String> errors = new ArrayList<>();
        Set<Integer> priorities = new HashSet<>();
        for (Rule r : user) {
            if (r.declared() < 1) {
                errors.add(
                        "lifecycleRules: priority "
                                + r.declared()
                                + " is not a positive whole number; number the rules from 1 or 2 up");
            }
            if (!priorities.add(r.declared())) {
                errors.add(
                        "lifecycleRules: priority "
                                + r.declared()
                                + " is used twice; ECR needs each rule's priority unique");
            }
            if (r.prefixes().stream()
                            .anyMatch(
                                    p ->
                                            p.startsWith(PROTECT_PREFIX)
                                                    || PROTECT_PREFIX.startsWith(p))
                    || r.patterns().stream()
                            .anyMatch(p -> wildcard(p).matcher(PROTECT_PREFIX + "x").matches())) {
                errors.add(
                        "lifecycleRules: rule "
                                + r.declared()
                                + " selects the tags "
                                + PROTECT_PREFIX
                                + "… that protect released digests; choose prefixes or patterns that do not match them");
            }
        }
        for (StorageClass sc : StorageClass.values()) {
            List<Rule> inClass = user.stream().filter(r -> r.storageClass() == sc).toList();
            int maxPriority = inClass.stream().mapToInt(Rule::declared).max().orElse(0);
            inClass.stream()
                    .filter(r -> r.tagStatus() == TagStatus.ANY && r.declared() != maxPriority)
                    .forEach(
                            r ->
                                    errors.add(
                                            "lifecycleRules: rule "
                                                    + r.declared()
                                                    + " has tagStatus any, so it must have the highest priority of the rules on "
                                                    + sc.name().toLowerCase(Locale.ROOT)
                                                    + " images (ECR evaluates it last); give it a higher rulePriority"));
            if (inClass.stream().filter(r -> r.tagStatus() == TagStatus.UNTAGGED).count() > 1) {
                errors.add(
                        "lifecycleRules: only one rule may select untagged "
                                + sc.name().toLowerCase(Locale.ROOT)
                                + " images; merge them");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        // priority 1 is the protection's: rules numbered from 1 move up by one, in their order (ECR
        // needs only order and uniqueness)
        int shift = user.stream().anyMatch(r -> r.declared() == 1) ? 1 : 0;
        List<Rule> all = new ArrayList<>();
        all.add(
                new Rule(
                        1,
                        "Quartermaster: never expire or archive a digest the release switch protects (running, or the rollback target)",
                        TagStatus.TAGGED,
                        List.of(PROTECT_PREFIX),
                        List.of(),
                        CountType.SINCE_IMAGE_PUSHED,
                        PROTECT_DAYS,
                        Action.EXPIRE));
        user.stream()
                .sorted(Comparator.comparingInt(Rule::declared))
                .map(r -> r.at(r.declared() + shift))
                .forEach(all::add);
        LifecycleRules built = new LifecycleRules(all);
        int length = built.policyText().length();
        if (length > MAX_POLICY_LENGTH) {
            throw new IllegalArgumentException(
                    "lifecycleRules: the policy text would be "
                            + length
                            + " characters with the protection rule; ECR takes"
                            + " at most "
                            + MAX_POLICY_LENGTH
                            + " (service quotas, \"Lifecycle policy length\"): shorten descriptions or merge rules");
        }
        return built;
    }

    private static Rule rule(JsonNode r, String where) {
        if (!r.path("rulePriority").canConvertToInt()) {
            throw new IllegalArgumentException(
                    where + "needs \"rulePriority\" (a whole number, 1 or more)");
        }
        int priority = r.path("rulePriority").asInt();
        JsonNode sel = r.path("selection");
        TagStatus status;
        try {
            status = TagStatus.valueOf(sel.path("tagStatus").asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + "selection.tagStatus must be tagged, untagged or any");
        }
        List<String> prefixes = strings(sel.path("tagPrefixList"));
        List<String> patterns = strings(sel.path("tagPatternList"));
        if (status == TagStatus.TAGGED && prefixes.isEmpty() == patterns.isEmpty()) {
            throw new IllegalArgumentException(
                    where + "a tagged rule needs tagPrefixList or tagPatternList (one of them)");
        }
        if (status != TagStatus.TAGGED && (!prefixes.isEmpty() || !patterns.isEmpty())) {
            throw new IllegalArgumentException(
                    where
                            + "an "
                            + status.name().toLowerCase(Locale.ROOT)
                            + " rule takes no tagPrefixList or tagPatternList");
        }
        prefixes.stream()
                .filter(p -> !TAG_PREFIX.matcher(p).matches())
                .forEach(
                        p -> {
                            throw new IllegalArgumentException(
                                    where
                                            + "'"
                                            + p
                                            + "' is not a tag prefix (letters, digits, _ . -)");
                        });
        for (String p : patterns) {
            if (!TAG_PATTERN.matcher(p).matches() || p.chars().filter(c -> c == '*').count() > 4) {
                throw new IllegalArgumentException(
                        where
                                + "'"
                                + p
                                + "' is not a tag pattern (letters, digits, _ . - and at most 4 *)");
            }
        }
        CountType type =
                java.util.Arrays.stream(CountType.values())
                        .filter(t -> t.ecr.equals(sel.path("countType").asText()))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                where
                                                        + "selection.countType must be imageCountMoreThan, sinceImagePushed, "
                                                        + "sinceImagePulled or sinceImageTransitioned"));
        if (type == CountType.IMAGE_COUNT_MORE_THAN && sel.has("countUnit")) {
            throw new IllegalArgumentException(where + "imageCountMoreThan takes no countUnit");
        }
        if (type != CountType.IMAGE_COUNT_MORE_THAN
                && !"days".equals(sel.path("countUnit").asText())) {
            throw new IllegalArgumentException(where + type.ecr + " needs \"countUnit\": \"days\"");
        }
        if (!sel.path("countNumber").canConvertToInt() || sel.path("countNumber").asInt() < 1) {
            throw new IllegalArgumentException(
                    where + "selection.countNumber must be a whole number of 1 or more");
        }
        StorageClass storage = storageClass(sel, type, where);
        String actionType = r.path("action").path("type").asText("");
        Action action =
                switch (actionType) {
                    case "expire" -> Action.EXPIRE;
                    case "transition" -> {
                        if (!"archive"
                                .equals(r.path("action").path("targetStorageClass").asText())) {
                            throw new IllegalArgumentException(
                                    where
                                            + "a transition needs \"targetStorageClass\": \"archive\"");
                        }
                        yield Action.TRANSITION;
                    }
                    default ->
                            throw new IllegalArgumentException(
                                    where + "action.type must be expire or transition");
                };
        if (type == CountType.SINCE_IMAGE_PULLED && action != Action.TRANSITION) {
            throw new IllegalArgumentException(
                    where
                            + "sinceImagePulled only transitions (ECR refuses it with expire): to delete by pull activity,"
                            + " transition with sinceImagePulled, then expire with sinceImageTransitioned and \"storageClass\": \"archive\"");
        }
        if (type == CountType.SINCE_IMAGE_TRANSITIONED && action != Action.EXPIRE) {
            throw new IllegalArgumentException(
                    where
                            + "sinceImageTransitioned only expires archived images; use \"action\": {\"type\": \"expire\"}");
        }
        if (type == CountType.SINCE_IMAGE_TRANSITIONED
                && sel.path("countNumber").asInt() < ARCHIVE_MINIMUM_DAYS) {
            throw new IllegalArgumentException(
                    where
                            + "archived images stay at least "
                            + ARCHIVE_MINIMUM_DAYS
                            + " days (archive's minimum storage duration): countNumber must be "
                            + ARCHIVE_MINIMUM_DAYS
                            + " or more");
        }
        String description = r.path("description").asText("");
        if (description.length() > 256) {
            throw new IllegalArgumentException(where + "description is longer than 256 characters");
        }
        return new Rule(
                priority,
                description,
                status,
                prefixes,
                patterns,
                type,
                sel.path("countNumber").asInt(),
                action,
                storage,
                priority);
    }

    /** standard unless said; archive only with (and required by) sinceImageTransitioned. */
    private static StorageClass storageClass(JsonNode sel, CountType type, String where) {
        String given = sel.has("storageClass") ? sel.path("storageClass").asText() : null;
        if (given != null && !given.equals("standard") && !given.equals("archive")) {
            throw new IllegalArgumentException(
                    where + "selection.storageClass must be standard or archive");
        }
        if (type == CountType.SINCE_IMAGE_TRANSITIONED && !"archive".equals(given)) {
            throw new IllegalArgumentException(
                    where
                            + "sinceImageTransitioned needs \"storageClass\": \"archive\" (it counts days in archive)");
        }
        if (type != CountType.SINCE_IMAGE_TRANSITIONED && "archive".equals(given)) {
            throw new IllegalArgumentException(
                    where
                            + "with "
                            + type.ecr
                            + " the only storageClass is standard; archived images are selected"
                            + " by \"countType\": \"sinceImageTransitioned\"");
        }
        return "archive".equals(given) ? StorageClass.ARCHIVE : StorageClass.STANDARD;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    static Pattern wildcard(String pattern) {
        StringBuilder re = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!re.isEmpty()) {
                re.append(".*");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    /**
     * The lifecycle policy text ECR takes (PutLifecyclePolicy, the repository's
     * LifecyclePolicyText).
     */
    public String policyText() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("rules");
        for (Rule r : rules) {
            ObjectNode o = list.addObject().put("rulePriority", r.priority());
            if (r.description() != null && !r.description().isBlank()) {
                o.put("description", r.description());
            }
            ObjectNode sel =
                    o.putObject("selection")
                            .put("tagStatus", r.tagStatus().name().toLowerCase(Locale.ROOT));
            if (!r.prefixes().isEmpty()) {
                r.prefixes().forEach(sel.putArray("tagPrefixList")::add);
            }
            if (!r.patterns().isEmpty()) {
                r.patterns().forEach(sel.putArray("tagPatternList")::add);
            }
            if (r.storageClass() == StorageClass.ARCHIVE) {
                sel.put("storageClass", "archive");
            }
            sel.put("countType", r.countType().ecr);
            if (r.countType() != CountType.IMAGE_COUNT_MORE_THAN) {
                sel.put("countUnit", "days");
            }
            sel.put("countNumber", r.countNumber());
            ObjectNode action =
                    o.putObject("action").put("type", r.action().name().toLowerCase(Locale.ROOT));
            if (r.action() == Action.TRANSITION) {
                action.put("targetStorageClass", "archive");
            }
        }
        return root.toString();
    }
}
