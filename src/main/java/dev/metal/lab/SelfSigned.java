package dev.metal.lab;

import dev.metal.model.SystemicException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for an emulated BMC, made with the JDK's own keytool (the
 * JDK has no public API to sign a certificate), as a real BMC ships one out of the box.
 */
public final class SelfSigned {
    private static final char[] PASSWORD = "emulator".toCharArray();

    private final SSLContext context;
    private final String fingerprint;

    private SelfSigned(SSLContext context, String fingerprint) {
        this.context = context;
        this.fingerprint = fingerprint;
    }

    /** Generates a new key and certificate for {@code cn} (each call gives a different certificate). */
    public static SelfSigned generate(String cn) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("metal-tls");
            Path store = dir.resolve("bmc.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-alias", "bmc", "-dname", "CN=" + cn, "-validity", "3650",
                    "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", new String(PASSWORD)))
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new SystemicException("keytool failed: " + output.strip());
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASSWORD);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return new SelfSigned(ctx, fingerprint(ks.getCertificate("bmc")));
        } catch (IOException | GeneralSecurityException e) {
            throw new SystemicException("cannot make a self-signed certificate: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemicException("interrupted while making a certificate", e);
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir.resolve("bmc.p12"));
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temp folder left behind is harmless
                }
            }
        }
    }

    public SSLContext context() {
        return context;
    }

    /** SHA-256 of the certificate, in the form metal pins: "sha256:ab:cd:...". */
    public String fingerprint() {
        return fingerprint;
    }

    static String fingerprint(Certificate cert) throws GeneralSecurityException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        return "sha256:" + HexFormat.ofDelimiter(":").formatHex(digest);
    }
}
