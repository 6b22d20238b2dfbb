package dev.quartermaster.contract.options;

import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.Setting;

import java.util.List;

/**
 * The hosts ({@link Host}): one database host, at least one app host. Without {@code hosts}, one
 * host that runs the app and the database, found by {@code hostTagKey}/{@code hostTagValue} (the
 * keys of a configuration written before hosts were a list).
 */
public record HostOptions(List<Host> hosts) {
    public HostOptions {
        hosts = List.copyOf(hosts);
    }

    /** The value of the {@link Setting#HOSTS} setting. */
    public String json() {
        return Host.toJson(hosts);
    }

    public Host database() {
        return Host.database(hosts);
    }

    public List<Host> apps() {
        return Host.apps(hosts);
    }

    static HostOptions read(OptionSource s, Problems problems) {
        List<Host> defaults = Host.parseList(Setting.HOSTS.defaultValue());
        if (!Options.HOSTS.isSet(s)) {
            Host one = defaults.get(0);
            Problems own = new Problems();
            String key = Options.HOST_TAG_KEY.read(s, own);
            String value = Options.HOST_TAG_VALUE.read(s, own);
            own.list().forEach(problems::add);
            return new HostOptions(
                    List.of(own.isEmpty() ? new Host(one.name(), key, value, one.roles()) : one));
        }
        if (Options.HOST_TAG_KEY.isSet(s) || Options.HOST_TAG_VALUE.isSet(s)) {
            problems.add(
                    Options.HOST_TAG_KEY
                            + "/"
                            + Options.HOST_TAG_VALUE
                            + ": set each host's tag in \"hosts\" instead (both are given;"
                            + " remove hostTagKey and hostTagValue)");
        }
        try {
            return new HostOptions(Host.parseList(Options.HOSTS.read(s, problems)));
        } catch (IllegalArgumentException e) {
            problems.add(
                    e.getMessage()
                            + " (e.g. [{\"name\":\"web\",\"tagKey\":\"qm:host\",\"tagValue\":\"web\",\"roles\":[\"app\",\"database\"]}])");
            return new HostOptions(defaults);
        }
    }
}
