// Command hstockplus is the HstockPlus desktop app. With -sandbox it serves the simulated API instead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

const appID = "com.hstockplus.desktop"

// processStart is about when the process started (main's package is initialised last, just
// before main runs).
var processStart = time.Now()

type config struct {
	demo, showVersion bool
	apiURL, apiKey    string
	apiURLSet         bool   // -api-url or HSTOCKPLUS_API_URL: a temporary profile on it
	profile           string // -profile: the profile to show
	dataDir, lang     string
	logDir            string // the log file's folder
	oldDataDir        string // where earlier versions kept the data, to move from; "" with -data
	sandboxAddr       string
	sandbox           sandbox.Options
	sandboxFaults     string
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("hstockplus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.demo, "demo", false, "open in demo mode on the built-in sandbox, even with an API key")
	fs.StringVar(&c.apiURL, "api-url", envOr(getenv, "HSTOCKPLUS_API_URL", client.DefaultEndpoint), "API v2 endpoint (env HSTOCKPLUS_API_URL)")
	fs.StringVar(&c.profile, "profile", getenv("HSTOCKPLUS_PROFILE"), "open the profile of this `NAME` (env HSTOCKPLUS_PROFILE)")
	fs.StringVar(&c.dataDir, "data", getenv("HSTOCKPLUS_DATA"), "directory for the app's state, and its log in logs/ (env HSTOCKPLUS_DATA; default: the system's place for app data)")
	fs.StringVar(&c.lang, "lang", getenv("HSTOCKPLUS_LANG"), "API language code (en, ja, ru, zh, …)")
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	fs.StringVar(&c.sandboxAddr, "sandbox", "", "serve the simulated HstockPlus API on `ADDR` (e.g. 127.0.0.1:8731) instead of opening the app")
	fs.StringVar(&c.sandbox.Key, "sandbox-key", "demo", "sandbox: the API key it accepts")
	fs.StringVar(&c.sandbox.Balance, "sandbox-balance", "100.00", "sandbox: the starting balance")
	fs.IntVar(&c.sandbox.Services, "sandbox-services", 0, "sandbox and demo: catalog size (0 = the realistic default catalog)")
	fs.Float64Var(&c.sandbox.Speed, "sandbox-speed", 1, "sandbox: time factor (2 = twice as fast)")
	fs.BoolVar(&c.sandbox.Panel, "sandbox-panel", false, "sandbox: behave like another SMM panel (services, add, status, balance only)")
	fs.StringVar(&c.sandboxFaults, "sandbox-faults", "", "sandbox: fault probabilities, e.g. reset=0.1,drop=0.05,html=0.1,429=0.1,slow=0.1,malformed=0.05")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	faults, err := sandbox.ParseFaults(c.sandboxFaults)
	if err != nil {
		return c, fmt.Errorf("-sandbox-faults: %w", err)
	}
	c.sandbox.Faults = faults
	c.apiKey = strings.TrimSpace(getenv("HSTOCKPLUS_API_KEY"))
	c.apiURLSet = c.apiURL != client.DefaultEndpoint
	return c, setDirs(&c, getenv)
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func main() {
	cache.PrivateFiles() // every file the app (and what it starts) creates is the user's alone
	log.SetFlags(log.Ldate | log.Ltime)
	cfg, err := parseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		log.Fatalf("hstockplus: %v", err)
	}
	switch {
	case cfg.showVersion:
		fmt.Println("hstockplus", version)
	case cfg.sandboxAddr != "":
		if err := serveSandbox(cfg); err != nil {
			log.Fatalf("hstockplus: sandbox: %v", err)
		}
	default:
		err := runApp(cfg)
		if r := (*restartRequest)(nil); errors.As(err, &r) {
			err = restartSelf(r)
		}
		if err != nil {
			log.Fatalf("hstockplus: %v", err)
		}
	}
}

// serveSandbox runs the simulated API until SIGINT or SIGTERM.
func serveSandbox(cfg config) error {
	srv, err := sandbox.New(cfg.sandbox)
	if err != nil {
		return err
	}
	run, err := sandbox.Listen(cfg.sandboxAddr, srv)
	if err != nil {
		return err
	}
	fmt.Printf("HstockPlus sandbox serving\n  endpoint: %s\n  key:      %s\n", run.URL, run.Key)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Println("sandbox: stopping")
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return run.Close(shut)
}

// runApp opens the window on a profile (profiles.go): an account, or the demo on an in-process
// sandbox with its own data directory, so demo orders never mix with real ones. It is a flat
// sequence: the session (lock, secrets), the profiles' stores, service layers and pollers, the
// clipboard and window; Run; then one Close that ends everything the session started.
func runApp(cfg config) error {
	if path := os.Getenv("HSTOCKPLUS_CPUPROFILE"); path != "" { // for measuring: a CPU profile of the run
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	err := startApp(&cfg, os.Stderr) // data moved to its place, the log file
	var s *session
	if err == nil {
		s, err = newSession(cfg)
	}
	if errors.Is(err, errAlreadyRunning) {
		fmt.Println("HstockPlus is already running: its window was brought forward.")
		return nil
	}
	if err != nil {
		return err
	}
	defer s.Close()
	s.unlockThen(s.openAndStart)
	s.listen()
	s.app.Run()
	s.uiStopped()
	if s.restart != nil {
		return s.restart
	}
	return nil
}

// restartRequest is what runApp returns when the app must run again (after its data directory
// is released): see restartSelf.
type restartRequest struct{ newKey bool }

func (r *restartRequest) Error() string { return "restart requested" }

// restartSelf starts this program again with the same arguments and environment — except that
// after a new API key, -demo is dropped and HSTOCKPLUS_API_KEY unset, so the new process uses the
// key just saved in the keyring.
func restartSelf(r *restartRequest) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	args := os.Args[1:]
	if r.newKey {
		args = withoutFlag(args, "demo")
		os.Unsetenv("HSTOCKPLUS_API_KEY")
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	log.Printf("restarted as process %d", cmd.Process.Pid)
	return cmd.Process.Release()
}

// withoutFlag drops the boolean flag name (-name, --name, -name=…) from args.
func withoutFlag(args []string, name string) []string {
	var out []string
	for _, a := range args {
		if f := strings.TrimLeft(a, "-"); f != a && (f == name || strings.HasPrefix(f, name+"=")) {
			continue
		}
		out = append(out, a)
	}
	return out
}
