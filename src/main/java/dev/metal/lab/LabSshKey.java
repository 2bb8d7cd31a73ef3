package dev.metal.lab;

import dev.metal.model.SystemicException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The lab's own SSH key pair, DIR/ssh/id_ed25519 (0600) and id_ed25519.pub: the site plan the
 * lab writes carries its public key, so the systems provisioned in the lab let it log in, and
 * provisioning needs no --ssh-key nor --no-ssh-keys. A lab started again in the same folder
 * keeps its key.
 */
public final class LabSshKey {
    static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");
    static final String COMMENT = "metal-lab";

    /** The private key file, the public key file, and the public key line ("ssh-ed25519 BASE64 metal-lab"). */
    public record Pair(Path privateKey, Path publicKey, String publicLine) {}

    private LabSshKey() {}

    /** The key pair in {@code dir}/ssh: the one there, else a new one. */
    public static Pair ensure(Path dir) throws IOException {
        Path ssh = dir.resolve("ssh");
        Path priv = ssh.resolve("id_ed25519");
        Path pub = ssh.resolve("id_ed25519.pub");
        if (Files.isRegularFile(priv) && Files.isRegularFile(pub)) {
            String line = Files.readString(pub, StandardCharsets.UTF_8).strip();
            if (line.startsWith("ssh-ed25519 ")) return new Pair(priv, pub, line);
        }
        Files.createDirectories(ssh);
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(priv);
        Files.deleteIfExists(pub);
        if (Files.isExecutable(SSH_KEYGEN)) keygen(priv);
        else generate(priv, pub);
        return new Pair(priv, pub, Files.readString(pub, StandardCharsets.UTF_8).strip());
    }

    /** OpenSSH's own ssh-keygen (Debian package openssh-client), when it is installed. */
    private static void keygen(Path priv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(SSH_KEYGEN.toString(), "-t", "ed25519", "-N", "", "-q",
                "-C", COMMENT, "-f", priv.toString())).redirectErrorStream(true);
        Process p = pb.start();
        try {
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SystemicException("ssh-keygen did not finish within 30 s making " + priv);
            }
            if (p.exitValue() != 0) throw new SystemicException("ssh-keygen could not make " + priv + ": " + out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SystemicException("interrupted while making " + priv);
        }
    }

    /**
     * Without ssh-keygen: an Ed25519 pair from the JDK, written in OpenSSH's own formats (the
     * unencrypted "openssh-key-v1" private key and the one-line public key), so ssh reads it
     * just as one that ssh-keygen made.
     */
    static void generate(Path priv, Path pub) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new SystemicException("this JDK cannot make Ed25519 keys: " + e.getMessage(), e);
        }
        // X.509 and PKCS#8 encodings of an Ed25519 key end with its 32 raw bytes (the public key, the seed).
        byte[] x509 = pair.getPublic().getEncoded();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        byte[] publicKey = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
        byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
        byte[] blob = publicBlob(publicKey);
        String line = "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " " + COMMENT;

        ByteArrayOutputStream section = new ByteArrayOutputStream();
        int check = new SecureRandom().nextInt();
        putInt(section, check);
        putInt(section, check);
        putString(section, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
        putString(section, publicKey);
        byte[] secret = new byte[64];
        System.arraycopy(seed, 0, secret, 0, 32);
        System.arraycopy(publicKey, 0, secret, 32, 32);
        putString(section, secret);
        putString(section, COMMENT.getBytes(StandardCharsets.US_ASCII));
        for (int pad = 1; section.size() % 8 != 0; pad++) section.write(pad);

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
        putString(file, "none".getBytes(StandardCharsets.US_ASCII)); // cipher
        putString(file, "none".getBytes(StandardCharsets.US_ASCII)); // kdf
        putString(file, new byte[0]); // kdf options
        putInt(file, 1);
        putString(file, blob);
        putString(file, section.toByteArray());
        String body = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(file.toByteArray());
        String pem = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n";

        Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(priv, pem, StandardCharsets.US_ASCII);
        Files.writeString(pub, line + "\n", StandardCharsets.US_ASCII);
    }

    private static byte[] publicBlob(byte[] publicKey) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        putString(b, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
        putString(b, publicKey);
        return b.toByteArray();
    }

    private static void putInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void putString(ByteArrayOutputStream out, byte[] bytes) {
        putInt(out, bytes.length);
        out.writeBytes(bytes);
    }
}
