package dev.metal.cli;

/** The metal program. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Scripts ask for the version often; it needs no command parser.
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(new VersionProvider().getVersion()[0]);
            return;
        }
        quietLibraries(args);
        System.exit(Cli.run(Context.system(), args));
    }

    /**
     * Libraries that log through SLF4J stay silent unless -v is given; set before any
     * of them loads its logger.
     */
    private static void quietLibraries(String[] args) {
        boolean verbose = false;
        for (String a : args) {
            if (a.equals("-v") || a.equals("--verbose")) verbose = true;
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "off");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }
}
