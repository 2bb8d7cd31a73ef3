package dev.metal.ipmi;

import java.util.Arrays;
import org.metricshub.ipmi.core.coding.commands.IpmiCommandCoder;
import org.metricshub.ipmi.core.coding.commands.IpmiVersion;
import org.metricshub.ipmi.core.coding.commands.ResponseData;
import org.metricshub.ipmi.core.coding.payload.CompletionCode;
import org.metricshub.ipmi.core.coding.payload.IpmiPayload;
import org.metricshub.ipmi.core.coding.payload.lan.IPMIException;
import org.metricshub.ipmi.core.coding.payload.lan.IpmiLanRequest;
import org.metricshub.ipmi.core.coding.payload.lan.IpmiLanResponse;
import org.metricshub.ipmi.core.coding.payload.lan.NetworkFunction;
import org.metricshub.ipmi.core.coding.protocol.AuthenticationType;
import org.metricshub.ipmi.core.coding.protocol.IpmiMessage;
import org.metricshub.ipmi.core.coding.security.CipherSuite;

/**
 * One IPMI request given as network function, command and data bytes, answered with the
 * response data bytes (after the completion code). ipmi-java has coders for a few
 * commands only; the ones it lacks (the full Chassis Control, System Boot Options) are
 * sent through this, with their bytes built in {@link ChassisCommands}.
 */
final class RawCommand extends IpmiCommandCoder {
    private final NetworkFunction function;
    private final byte command;
    private final byte[] data;

    RawCommand(CipherSuite cipherSuite, NetworkFunction function, int command, byte... data) {
        super(IpmiVersion.V20, cipherSuite, AuthenticationType.RMCPPlus);
        this.function = function;
        this.command = (byte) command;
        this.data = data.clone();
    }

    /** The response data bytes, the completion code removed. */
    record Response(byte[] data) implements ResponseData {
        int unsigned(int index) {
            return index < data.length ? data[index] & 0xff : 0;
        }

        @Override
        public String toString() {
            return Arrays.toString(data);
        }
    }

    @Override
    public byte getCommandCode() {
        return command;
    }

    @Override
    public NetworkFunction getNetworkFunction() {
        return function;
    }

    @Override
    protected IpmiPayload preparePayload(int sequenceNumber) {
        return new IpmiLanRequest(function, command, data, (byte) sequenceNumber);
    }

    @Override
    public ResponseData getResponseData(IpmiMessage message) throws IPMIException {
        if (!isCommandResponse(message) || !(message.getPayload() instanceof IpmiLanResponse response)) {
            throw new IllegalArgumentException("not a response to command 0x" + Integer.toHexString(command & 0xff));
        }
        if (response.getCompletionCode() != CompletionCode.Ok) {
            throw new IPMIException(response.getCompletionCode());
        }
        byte[] body = response.getIpmiCommandData();
        return new Response(body == null ? new byte[0] : body);
    }
}
