// Starts Temporal's Java test server with its clock set to a chosen instant instead of "now".
//
// Time-skipping tests of statutory cycles need the server's clock to begin before the cycle's
// instants (e.g. cycle 2025 of a Jan 31 duty is tested from 2026-01-01 although the tests run
// later). io.temporal.testserver.TestServer#main always starts at the wall clock; the same server
// class it builds (TestServicesStarter) takes an initial time, which this launcher passes.
//
//   java -cp <classpath>:<classes> ClockedTestServer <port> [--enable-time-skipping]
//   with TEMPORAL_TEST_SERVER_START_AT=2026-01-01T00:00:00+08:00 (any ISO-8601 offset date-time)
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.time.OffsetDateTime;
import java.util.Arrays;

public class ClockedTestServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ClockedTestServer <port> [--enable-time-skipping]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean lockTimeSkipping = !Arrays.asList(args).contains("--enable-time-skipping");
    String startAt = System.getenv("TEMPORAL_TEST_SERVER_START_AT");
    long initialTimeMillis =
        startAt == null || startAt.isEmpty() ? 0 : OffsetDateTime.parse(startAt).toInstant().toEpochMilli();
    TestServicesStarter services = new TestServicesStarter(lockTimeSkipping, initialTimeMillis);
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    // No shutdown hook: closing the services from one blocks, and the process would outlive the
    // SIGTERM its parent sends at teardown. The JVM's default exit on SIGTERM is what is wanted.
    server.awaitTermination();
  }
}
