package dev.quartermaster.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ECR lifecycle rules as cdk.json writes them ({@code lifecycleRules}, ECR's own shape), validated at synth by
 * ECR's rules, with the protection rule Quartermaster puts first; and their evaluation by ECR's documented
 * semantics (bin/qm lifecycle preview evaluates locally what ECR's preview API answers in AWS):
 * <ul>
 *   <li>rules apply by priority, lowest first; a rule selects images by tag status and tag prefixes or patterns
 *       (several: an image must match every one, each by some tag of it);</li>
 *   <li>an image that matches the tagging requirements of a rule cannot be expired by a rule of lower priority,
 *       whether or not that rule expires it; a rule still counts images higher rules matched;</li>
 *   <li>{@code imageCountMoreThan}: the selected images newest pushed first, those past the count;
 *       {@code sinceImagePushed}/{@code sinceImagePulled}: pushed (last pulled, else pushed) more than N days ago.</li>
 * </ul>
 * Protection: the release switch tags each digest it releases {@code qm-release-…}; rule 1 selects that prefix and
 * expires nothing, so no other rule can ever expire a released digest while it carries the tag.
 */
public final class LifecycleRules {
    public static final String PROTECT_PREFIX = "qm-release-";
    /** ECR counts at most this many images per rule; protection keeps them all. */
    public static final int PROTECT_COUNT = 9999;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TAG_PATTERN = Pattern.compile("[A-Za-z0-9_.*-]{1,128}");
    private static final Pattern TAG_PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    public enum TagStatus { TAGGED, UNTAGGED, ANY }

    public enum CountType { IMAGE_COUNT_MORE_THAN("imageCountMoreThan"), SINCE_IMAGE_PUSHED("sinceImagePushed"), SINCE_IMAGE_PULLED("sinceImagePulled");
        final String ecr;

        CountType(String ecr) {
            this.ecr = ecr;
        }
    }

    public enum Action { EXPIRE, TRANSITION }

    /** One rule, validated. {@code prefixes} or {@code patterns} for a tagged rule (the other empty). */
    public record Rule(int priority, String description, TagStatus tagStatus, List<String> prefixes, List<String> patterns, CountType countType,
                       int countNumber, Action action) {
        public Rule {
            prefixes = List.copyOf(prefixes);
            patterns = List.copyOf(patterns);
        }

        /** Whether the image's tags meet this rule's tagging requirements. */
        public boolean selects(Set<String> tags) {
            return switch (tagStatus) {
                case ANY -> true;
                case UNTAGGED -> tags.isEmpty();
                case TAGGED -> !tags.isEmpty() && prefixes.stream().allMatch(p -> tags.stream().anyMatch(t -> t.startsWith(p)))
                        && patterns.stream().allMatch(p -> tags.stream().anyMatch(t -> wildcard(p).matcher(t).matches()));
            };
        }

        public boolean protection() {
            return priority == 1 && prefixes.equals(List.of(PROTECT_PREFIX));
        }

        public String label() {
            return "rule " + priority + (description == null || description.isBlank() ? "" : " (" + description + ")");
        }
    }

    /** An image as the evaluation sees it. {@code lastPulledAt} may be null (never pulled). */
    public record Image(String digest, Set<String> tags, Instant pushedAt, Instant lastPulledAt) {
        public Image {
            tags = Set.copyOf(tags);
        }
    }

    /** What the rules do to one image: the rule that acts on it (expire or transition), or none (kept); the rule that claimed it. */
    public record Outcome(Image image, Optional<Rule> actingRule, Optional<Rule> claimedBy) {
        public boolean expired() {
            return actingRule.map(r -> r.action() == Action.EXPIRE).orElse(false);
        }

        public boolean protectedByRelease() {
            return claimedBy.map(Rule::protection).orElse(false);
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

    /** The rules that have shipped since the first version: untagged after {@code untaggedDays}, the newest {@code keep} images of any kind. */
    public static LifecycleRules defaults(int untaggedDays, int keep) {
        return of(List.of(
                new Rule(2, "expire untagged images after " + untaggedDays + " days", TagStatus.UNTAGGED, List.of(), List.of(),
                        CountType.SINCE_IMAGE_PUSHED, untaggedDays, Action.EXPIRE),
                new Rule(3, "keep the last " + keep + " images", TagStatus.ANY, List.of(), List.of(), CountType.IMAGE_COUNT_MORE_THAN, keep,
                        Action.EXPIRE)));
    }

    /**
     * The user's rules (ECR's JSON shape: a list of rules, or {"rules": [...]}) with the protection rule first.
     * @throws IllegalArgumentException listing what is wrong, each with how to fix it
     */
    public static LifecycleRules parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("lifecycleRules: not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root != null && root.isObject() && root.has("rules")) {
            root = root.get("rules");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException("lifecycleRules: must be a non-empty JSON list of ECR lifecycle rules");
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
            if (r.priority() < 2) {
                errors.add("lifecycleRules: priority " + r.priority() + " is reserved (1 is Quartermaster's protection of released digests); use 2 or more");
            }
            if (!priorities.add(r.priority())) {
                errors.add("lifecycleRules: priority " + r.priority() + " is used twice; ECR needs each rule's priority unique");
            }
            if (r.prefixes().stream().anyMatch(p -> p.startsWith(PROTECT_PREFIX) || PROTECT_PREFIX.startsWith(p))
                    || r.patterns().stream().anyMatch(p -> wildcard(p).matcher(PROTECT_PREFIX + "x").matches())) {
                errors.add("lifecycleRules: rule " + r.priority() + " selects the tags " + PROTECT_PREFIX
                        + "… that protect released digests; choose prefixes or patterns that do not match them");
            }
        }
        int maxPriority = user.stream().mapToInt(Rule::priority).max().orElse(0);
        user.stream().filter(r -> r.tagStatus() == TagStatus.ANY && r.priority() != maxPriority).forEach(r -> errors.add(
                "lifecycleRules: rule " + r.priority() + " has tagStatus any, so it must have the highest priority (ECR evaluates it last)"));
        if (user.stream().filter(r -> r.tagStatus() == TagStatus.UNTAGGED).count() > 1) {
            errors.add("lifecycleRules: only one rule may select untagged images (ECR's rule)");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        List<Rule> all = new ArrayList<>();
        all.add(new Rule(1, "Quartermaster: never expire a digest the release switch protects (running, or the rollback target)",
                TagStatus.TAGGED, List.of(PROTECT_PREFIX), List.of(), CountType.IMAGE_COUNT_MORE_THAN, PROTECT_COUNT, Action.EXPIRE));
        user.stream().sorted(Comparator.comparingInt(Rule::priority)).forEach(all::add);
        return new LifecycleRules(all);
    }

    private static Rule rule(JsonNode r, String where) {
        if (!r.path("rulePriority").canConvertToInt()) {
            throw new IllegalArgumentException(where + "needs \"rulePriority\" (a whole number, 2 or more)");
        }
        int priority = r.path("rulePriority").asInt();
        JsonNode sel = r.path("selection");
        TagStatus status;
        try {
            status = TagStatus.valueOf(sel.path("tagStatus").asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "selection.tagStatus must be tagged, untagged or any");
        }
        List<String> prefixes = strings(sel.path("tagPrefixList"));
        List<String> patterns = strings(sel.path("tagPatternList"));
        if (status == TagStatus.TAGGED && prefixes.isEmpty() == patterns.isEmpty()) {
            throw new IllegalArgumentException(where + "a tagged rule needs tagPrefixList or tagPatternList (one of them)");
        }
        if (status != TagStatus.TAGGED && (!prefixes.isEmpty() || !patterns.isEmpty())) {
            throw new IllegalArgumentException(where + "an " + status.name().toLowerCase(Locale.ROOT) + " rule takes no tagPrefixList or tagPatternList");
        }
        prefixes.stream().filter(p -> !TAG_PREFIX.matcher(p).matches()).forEach(p -> {
            throw new IllegalArgumentException(where + "'" + p + "' is not a tag prefix (letters, digits, _ . -)");
        });
        for (String p : patterns) {
            if (!TAG_PATTERN.matcher(p).matches() || p.chars().filter(c -> c == '*').count() > 4) {
                throw new IllegalArgumentException(where + "'" + p + "' is not a tag pattern (letters, digits, _ . - and at most 4 *)");
            }
        }
        CountType type = java.util.Arrays.stream(CountType.values()).filter(t -> t.ecr.equals(sel.path("countType").asText())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(where + "selection.countType must be imageCountMoreThan, sinceImagePushed or sinceImagePulled"));
        if (type == CountType.IMAGE_COUNT_MORE_THAN && sel.has("countUnit")) {
            throw new IllegalArgumentException(where + "imageCountMoreThan takes no countUnit");
        }
        if (type != CountType.IMAGE_COUNT_MORE_THAN && !"days".equals(sel.path("countUnit").asText())) {
            throw new IllegalArgumentException(where + type.ecr + " needs \"countUnit\": \"days\"");
        }
        if (!sel.path("countNumber").canConvertToInt() || sel.path("countNumber").asInt() < 1) {
            throw new IllegalArgumentException(where + "selection.countNumber must be a whole number of 1 or more");
        }
        String actionType = r.path("action").path("type").asText("");
        Action action = switch (actionType) {
            case "expire" -> Action.EXPIRE;
            case "transition" -> {
                if (!"archive".equals(r.path("action").path("targetStorageClass").asText())) {
                    throw new IllegalArgumentException(where + "a transition needs \"targetStorageClass\": \"archive\"");
                }
                yield Action.TRANSITION;
            }
            default -> throw new IllegalArgumentException(where + "action.type must be expire or transition");
        };
        String description = r.path("description").asText("");
        if (description.length() > 256) {
            throw new IllegalArgumentException(where + "description is longer than 256 characters");
        }
        return new Rule(priority, description, status, prefixes, patterns, type, sel.path("countNumber").asInt(), action);
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

    /** The lifecycle policy text ECR takes (PutLifecyclePolicy, the repository's LifecyclePolicyText). */
    public String policyText() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("rules");
        for (Rule r : rules) {
            ObjectNode o = list.addObject().put("rulePriority", r.priority());
            if (r.description() != null && !r.description().isBlank()) {
                o.put("description", r.description());
            }
            ObjectNode sel = o.putObject("selection").put("tagStatus", r.tagStatus().name().toLowerCase(Locale.ROOT));
            if (!r.prefixes().isEmpty()) {
                r.prefixes().forEach(sel.putArray("tagPrefixList")::add);
            }
            if (!r.patterns().isEmpty()) {
                r.patterns().forEach(sel.putArray("tagPatternList")::add);
            }
            sel.put("countType", r.countType().ecr);
            if (r.countType() != CountType.IMAGE_COUNT_MORE_THAN) {
                sel.put("countUnit", "days");
            }
            sel.put("countNumber", r.countNumber());
            ObjectNode action = o.putObject("action").put("type", r.action().name().toLowerCase(Locale.ROOT));
            if (r.action() == Action.TRANSITION) {
                action.put("targetStorageClass", "archive");
            }
        }
        return root.toString();
    }

    /** What these rules do to {@code images} at {@code now}, by ECR's semantics (see the class comment). */
    public Map<Image, Outcome> evaluate(List<Image> images, Instant now) {
        Map<Image, Rule> claimed = new LinkedHashMap<>();
        Map<Image, Rule> acting = new LinkedHashMap<>();
        for (Rule rule : rules) {
            List<Image> selected = images.stream().filter(i -> rule.selects(i.tags()))
                    .sorted(Comparator.comparing(Image::pushedAt).reversed().thenComparing(Image::digest)).toList();
            for (int n = 0; n < selected.size(); n++) {
                Image i = selected.get(n);
                boolean due = switch (rule.countType()) {
                    case IMAGE_COUNT_MORE_THAN -> n >= rule.countNumber();
                    case SINCE_IMAGE_PUSHED -> i.pushedAt().isBefore(now.minus(Duration.ofDays(rule.countNumber())));
                    case SINCE_IMAGE_PULLED -> (i.lastPulledAt() == null ? i.pushedAt() : i.lastPulledAt())
                            .isBefore(now.minus(Duration.ofDays(rule.countNumber())));
                };
                if (!claimed.containsKey(i)) {
                    claimed.put(i, rule);
                    if (due) {
                        acting.put(i, rule);
                    }
                }
            }
        }
        Map<Image, Outcome> out = new LinkedHashMap<>();
        for (Image i : images) {
            out.put(i, new Outcome(i, Optional.ofNullable(acting.get(i)), Optional.ofNullable(claimed.get(i))));
        }
        return out;
    }
}
