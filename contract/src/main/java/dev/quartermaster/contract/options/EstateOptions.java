package dev.quartermaster.contract.options;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.quartermaster.contract.options.Options.ACCOUNT;

/**
 * The registry estate: the managed repositories and their tag mutability, replication destinations
 * (a stack each, in its region and account) and the proof's deadline, accounts and an organization
 * that may pull, the repositories' encryption, basic or enhanced scanning, pull-through cache
 * rules, registry-wide settings another stack owns. {@code homeRegion}/{@code homeAccount} are null
 * when nothing tells them (synth without credentials).
 */
public record EstateOptions(
        List<String> repositories,
        List<String> mutableTags,
        List<Destination> replication,
        int replicationDeadlineMinutes,
        List<String> pullAccounts,
        String pullOrganization,
        String encryption,
        String scanning,
        List<String> continuousScanFilters,
        List<CacheRule> pullThroughCache,
        List<String> managedElsewhere,
        String homeRegion,
        String homeAccount) {
    static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    static final Pattern KMS_KEY =
            Pattern.compile("arn:aws[a-z-]*:kms:([a-z0-9-]+):([0-9]{12}):key/[A-Za-z0-9-]{1,64}");
    static final Pattern CACHE_PREFIX = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");
    static final Pattern PTC_SECRET =
            Pattern.compile(
                    "arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:ecr-pullthroughcache/[A-Za-z0-9/_+=.@-]+");

    public EstateOptions {
        repositories = List.copyOf(repositories);
        mutableTags = List.copyOf(mutableTags);
        replication = List.copyOf(replication);
        pullAccounts = List.copyOf(pullAccounts);
        continuousScanFilters = List.copyOf(continuousScanFilters);
        pullThroughCache = List.copyOf(pullThroughCache);
        managedElsewhere = List.copyOf(managedElsewhere);
    }

    public boolean kms() {
        return !encryption.equals("AES256");
    }

    /** The customer key given by ARN, or null (AES256, or KMS: a key the stack creates). */
    public String keyArn() {
        return encryption.startsWith("arn:") ? encryption : null;
    }

    public boolean enhanced() {
        return scanning.equals("ENHANCED");
    }

    /**
     * One replication destination; {@code account} null means the home account; {@code kmsKey} an
     * optional key ARN there.
     */
    public record Destination(String region, String account, String kmsKey) {
        public String id() {
            return region + (account == null ? "" : "-" + account);
        }
    }

    /**
     * A pull-through cache rule: repositories under {@code prefix}/ mirror {@code upstream} (with
     * ECR's credential secret where it needs one).
     */
    public record CacheRule(String prefix, String upstream, String credentialArn) {
        /** Each upstream's registry and whether ECR needs credentials for it. */
        static final Map<String, String[]> UPSTREAMS =
                Map.of(
                        "docker-hub", new String[] {"registry-1.docker.io", "required"},
                        "ecr-public", new String[] {"public.ecr.aws", "none"},
                        "quay", new String[] {"quay.io", "optional"},
                        "ghcr", new String[] {"ghcr.io", "required"});

        public String upstreamUrl() {
            return UPSTREAMS.get(upstream)[0];
        }

        /** ECR's name for the upstream registry. */
        public String upstreamRegistry() {
            return upstream.equals("ghcr") ? "github-container-registry" : upstream;
        }
    }

    static EstateOptions read(OptionSource s, Problems problems) {
        List<String> repos = Options.REPOSITORIES.read(s, problems);
        if (repos.isEmpty()) {
            problems.add(
                    Options.REPOSITORIES
                            + ": name at least one repository (e.g. -c repositories=wordpress)");
        }
        String homeRegion = blankToNull(Options.HOME_REGION.read(s, problems));
        String homeAccount = blankToNull(Options.HOME_ACCOUNT.read(s, problems));
        List<String> elsewhere = Options.REGISTRY_MANAGED_ELSEWHERE.read(s, problems);
        List<Destination> destinations =
                destinations(
                        Options.REPLICATION.read(s, problems), homeRegion, homeAccount, problems);
        String replication = Options.REPLICATION.key();
        if (!destinations.isEmpty() && elsewhere.contains(replication)) {
            problems.add(
                    replication
                            + ": the registry's replication configuration is one per registry and region, and registryManagedElsewhere says"
                            + " another stack owns it; add these destinations there, or remove \"replication\" from registryManagedElsewhere to let"
                            + " Quartermaster own it (it replaces whatever configuration the registry has)");
        }
        String encryption = Options.REPOSITORY_ENCRYPTION.read(s, problems);
        if (!encryption.equals("AES256") && !encryption.equals("KMS")) {
            Matcher m = KMS_KEY.matcher(encryption);
            if (!m.matches()) {
                problems.add(
                        Options.REPOSITORY_ENCRYPTION
                                + ": '"
                                + encryption
                                + "' must be AES256, KMS (a key the stack creates) or a KMS key ARN");
            } else if (homeRegion != null && !m.group(1).equals(homeRegion)) {
                problems.add(
                        Options.REPOSITORY_ENCRYPTION
                                + ": the key is in "
                                + m.group(1)
                                + ", the repositories in "
                                + homeRegion
                                + ": ECR needs a key in its own region");
            }
        }
        String scanning = Options.SCANNING.read(s, problems);
        if (scanning.equals("ENHANCED") && elsewhere.contains(Options.SCANNING.key())) {
            problems.add(
                    Options.SCANNING
                            + ": the registry's scanning configuration is one per registry and region, and registryManagedElsewhere says"
                            + " another stack owns it; set ENHANCED there, or remove \"scanning\" from registryManagedElsewhere");
        }
        List<String> continuous = Options.CONTINUOUS_SCAN_FILTERS.read(s, problems);
        if (!continuous.isEmpty() && !scanning.equals("ENHANCED")) {
            problems.add(
                    Options.CONTINUOUS_SCAN_FILTERS
                            + ": continuous scanning is Amazon Inspector's; set -c scanning=ENHANCED too");
        }
        return new EstateOptions(
                repos,
                Options.MUTABLE_TAGS.read(s, problems),
                destinations,
                Options.REPLICATION_DEADLINE_MINUTES.read(s, problems),
                Options.PULL_ACCOUNTS.read(s, problems),
                Options.PULL_ORGANIZATION.read(s, problems),
                encryption,
                scanning,
                continuous,
                caches(Options.PULL_THROUGH_CACHE.read(s, problems), repos, problems),
                elsewhere,
                homeRegion,
                homeAccount);
    }

    private static List<Destination> destinations(
            String json, String homeRegion, String homeAccount, Problems problems) {
        String key = Options.REPLICATION.key();
        List<Destination> destinations = new ArrayList<>();
        try {
            JsonNode list = Option.JSON.readTree(json.isEmpty() ? "[]" : json);
            if (!list.isArray()) {
                throw new IllegalArgumentException("not a list");
            }
            for (JsonNode d : list) {
                String region = d.path("region").asText("");
                String account = d.hasNonNull("account") ? d.path("account").asText() : null;
                String kmsKey = d.hasNonNull("kmsKey") ? d.path("kmsKey").asText() : null;
                if (!REGION.matcher(region).matches()) {
                    problems.add(
                            key
                                    + ": '"
                                    + region
                                    + "' is not an AWS region (e.g. [{\"region\":\"eu-central-1\"}])");
                    continue;
                }
                if (account != null && !ACCOUNT.matcher(account).matches()) {
                    problems.add(
                            key
                                    + ": account '"
                                    + account
                                    + "' of "
                                    + region
                                    + " is not a 12-digit account id (leave it out for this account)");
                    continue;
                }
                if (kmsKey != null
                        && !(KMS_KEY.matcher(kmsKey).matches()
                                && kmsKey.split(":")[3].equals(region))) {
                    problems.add(
                            key + ": kmsKey of " + region + " must be a KMS key ARN in " + region);
                }
                Destination dest =
                        new Destination(
                                region,
                                account != null && account.equals(homeAccount) ? null : account,
                                kmsKey);
                if (dest.account() == null && region.equals(homeRegion)) {
                    problems.add(
                            key
                                    + ": "
                                    + region
                                    + " is this stack's own region and account; a destination must differ in one of them");
                }
                if (destinations.stream().anyMatch(x -> x.id().equals(dest.id()))) {
                    problems.add(key + ": " + dest.id() + " is listed twice");
                }
                destinations.add(dest);
            }
        } catch (IOException | IllegalArgumentException e) {
            problems.add(
                    key
                            + ": must be a JSON list of {\"region\": ..., \"account\": ... (optional)}, e.g. -c 'replication=[{\"region\":\"eu-central-1\"}]'");
        }
        if (destinations.size() > 25) {
            problems.add(
                    key
                            + ": ECR replicates to at most 25 destinations, not "
                            + destinations.size());
        }
        if (!destinations.isEmpty() && homeRegion == null) {
            problems.add(
                    key
                            + ": the home region is unknown, and each destination forwards its events to it; deploy with a profile"
                            + " or AWS_REGION (cdk sets CDK_DEFAULT_REGION), or -c homeRegion=us-east-1");
        }
        if (destinations.stream().anyMatch(d -> d.account() != null) && homeAccount == null) {
            problems.add(
                    key
                            + ": a cross-account destination names this account in its registry policy, which is unknown here;"
                            + " deploy with credentials (cdk sets CDK_DEFAULT_ACCOUNT), or -c homeAccount=123456789012");
        }
        return destinations;
    }

    private static List<CacheRule> caches(String json, List<String> repos, Problems problems) {
        String key = Options.PULL_THROUGH_CACHE.key();
        List<CacheRule> caches = new ArrayList<>();
        try {
            for (JsonNode c : Option.JSON.readTree(json)) {
                String prefix = c.path("prefix").asText("");
                String upstream = c.path("upstream").asText("");
                String secret =
                        c.hasNonNull("credentialArn") ? c.path("credentialArn").asText() : null;
                if (!CACHE_PREFIX.matcher(prefix).matches()
                        || prefix.length() < 2
                        || prefix.length() > 30
                        || repos.contains(prefix)
                        || prefix.equals("ecr")
                        || prefix.startsWith("aws")) {
                    problems.add(
                            key
                                    + ": prefix '"
                                    + prefix
                                    + "' must be 2-30 lowercase letters, digits and . _ -, not 'ecr' or 'aws…',"
                                    + " and not one of the managed repositories");
                    continue;
                }
                String[] up = CacheRule.UPSTREAMS.get(upstream);
                if (up == null) {
                    problems.add(
                            key
                                    + ": upstream '"
                                    + upstream
                                    + "' of "
                                    + prefix
                                    + " must be one of "
                                    + new TreeSet<>(CacheRule.UPSTREAMS.keySet()));
                    continue;
                }
                if (up[1].equals("required") && secret == null) {
                    problems.add(
                            key
                                    + ": "
                                    + upstream
                                    + " needs credentials: create a Secrets Manager secret named ecr-pullthroughcache/"
                                    + prefix
                                    + " with {\"username\",\"accessToken\"} and give its ARN as credentialArn");
                } else if (up[1].equals("none") && secret != null) {
                    problems.add(
                            key
                                    + ": "
                                    + upstream
                                    + " takes no credentials: remove credentialArn from "
                                    + prefix);
                } else if (secret != null && !PTC_SECRET.matcher(secret).matches()) {
                    problems.add(
                            key
                                    + ": credentialArn of "
                                    + prefix
                                    + " must be a Secrets Manager secret ARN whose name starts with"
                                    + " ecr-pullthroughcache/ (ECR only reads secrets named so)");
                }
                if (caches.stream().anyMatch(x -> x.prefix().equals(prefix))) {
                    problems.add(key + ": prefix '" + prefix + "' is listed twice");
                }
                caches.add(new CacheRule(prefix, upstream, secret));
            }
        } catch (IOException | RuntimeException e) {
            problems.add(
                    key + ": must be a JSON list of {\"prefix\", \"upstream\", \"credentialArn\"}");
        }
        return caches;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
