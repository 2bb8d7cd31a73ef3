package dev.metal.bmc;

import dev.metal.ipmi.IpmiSession;
import dev.metal.redfish.RedfishClient;
import java.util.List;

/** Redfish first, then IPMI: what 'auto' tries against real BMCs. */
public final class StandardProviders {
    private StandardProviders() {}

    public static List<BmcProvider> create(ProviderOptions options) {
        RedfishClient.Options redfish = RedfishClient.Options.defaults()
                .withReadTimeout(options.readTimeout())
                .withMaxConcurrent(options.maxConcurrent())
                .withRetries(Math.max(0, options.retries()))
                .withInsecure(options.insecure())
                .withLog(options.log());
        return List.of(new RedfishProvider(redfish, options.clock()),
                new IpmiProvider(IpmiSession.Options.DEFAULT.withLog(options.log())));
    }
}
