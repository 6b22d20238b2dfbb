package dev.quartermaster.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * A JDK selector provider that binds every listening socket of its JVM to the loopback address:
 * S3Mock adds a Tomcat connector for its HTTP port with no address setting, so it would listen on
 * every interface. The S3Mock child JVM names this class in {@code
 * -Djava.nio.channels.spi.SelectorProvider} (with {@code --add-exports
 * java.base/sun.nio.ch=ALL-UNNAMED}, for the JDK's own provider it delegates to).
 */
public final class LoopbackSelectorProvider extends SelectorProvider {
    private final SelectorProvider real;

    public LoopbackSelectorProvider() {
        try {
            this.real =
                    (SelectorProvider)
                            Class.forName("sun.nio.ch.DefaultSelectorProvider")
                                    .getMethod("get")
                                    .invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "the JDK's selector provider is not reachable (add --add-exports java.base/sun.nio.ch=ALL-UNNAMED)",
                    e);
        }
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return real.openDatagramChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return real.openDatagramChannel(family);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return real.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return real.openSelector();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new Loopback(this, real.openServerSocketChannel());
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        return new Loopback(this, real.openServerSocketChannel(family));
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return real.openSocketChannel();
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        return real.openSocketChannel(family);
    }

    /** Binds to loopback what would bind to every interface; otherwise the JDK's channel. */
    private static final class Loopback extends ServerSocketChannel {
        private final ServerSocketChannel real;

        Loopback(SelectorProvider provider, ServerSocketChannel real) {
            super(provider);
            this.real = real;
        }

        @Override
        public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
            int port = local instanceof InetSocketAddress a ? a.getPort() : 0;
            boolean wildcard =
                    local == null
                            || (local instanceof InetSocketAddress a
                                    && (a.getAddress() == null
                                            || a.getAddress().isAnyLocalAddress()));
            real.bind(
                    wildcard
                            ? new InetSocketAddress(InetAddress.getLoopbackAddress(), port)
                            : local,
                    backlog);
            return this;
        }

        @Override
        public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
            real.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return real.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return real.supportedOptions();
        }

        @Override
        public ServerSocket socket() {
            return real.socket();
        }

        @Override
        public SocketChannel accept() throws IOException {
            return real.accept();
        }

        @Override
        public SocketAddress getLocalAddress() throws IOException {
            return real.getLocalAddress();
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            real.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            real.configureBlocking(block);
        }
    }
}
