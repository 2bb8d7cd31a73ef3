package dev.metal.ipmi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * A UDP relay on loopback in front of a simulated BMC that drops the BMC's answers the
 * test chooses: a BMC on a lossy link, or one that stops answering mid-session.
 * {@code drop} gets the number of each answer (1, 2, ...) and says whether to lose it.
 */
final class LossyUdpProxy implements AutoCloseable {
    private final DatagramSocket front;
    private final DatagramSocket back;
    private final AtomicInteger answers = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private volatile SocketAddress client;

    LossyUdpProxy(int bmcPort, IntPredicate drop) {
        try {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            front = new DatagramSocket(new InetSocketAddress(loopback, 0));
            back = new DatagramSocket(new InetSocketAddress(loopback, 0));
            back.connect(new InetSocketAddress(loopback, bmcPort));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread up = new Thread(() -> relay(front, true, drop), "proxy-up");
        Thread down = new Thread(() -> relay(back, false, drop), "proxy-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
    }

    int port() {
        return front.getLocalPort();
    }

    int dropped() {
        return dropped.get();
    }

    private void relay(DatagramSocket from, boolean towardsBmc, IntPredicate drop) {
        byte[] buffer = new byte[2048];
        while (!from.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                from.receive(packet);
                if (towardsBmc) {
                    client = packet.getSocketAddress();
                    back.send(new DatagramPacket(packet.getData(), packet.getLength()));
                } else if (drop.test(answers.incrementAndGet())) {
                    dropped.incrementAndGet();
                } else if (client != null) {
                    front.send(new DatagramPacket(packet.getData(), packet.getLength(), client));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
