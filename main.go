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
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
	"github.com/hstockplus/hstockplus/gui"
)

// version is set from FyneApp.toml by the Makefile (-ldflags "-X main.version=…").
var version = "0.1.0-dev"

const appID = "com.hstockplus.desktop"

type config struct {
	demo, showVersion bool
	apiURL, apiKey    string
	dataDir, lang     string
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
	fs.StringVar(&c.dataDir, "data", getenv("HSTOCKPLUS_DATA"), "directory for the app's state (env HSTOCKPLUS_DATA; default: the user config dir)")
	fs.StringVar(&c.lang, "lang", getenv("HSTOCKPLUS_LANG"), "API language code (en, ja, ru, zh, …)")
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	fs.StringVar(&c.sandboxAddr, "sandbox", "", "serve the simulated HstockPlus API on `ADDR` (e.g. 127.0.0.1:8731) instead of opening the app")
	fs.StringVar(&c.sandbox.Key, "sandbox-key", "demo", "sandbox: the API key it accepts")
	fs.StringVar(&c.sandbox.Balance, "sandbox-balance", "100.00", "sandbox: the starting balance")
	fs.IntVar(&c.sandbox.Services, "sandbox-services", 0, "sandbox: catalog size (0 = the realistic default catalog)")
	fs.Float64Var(&c.sandbox.Speed, "sandbox-speed", 1, "sandbox: time factor (2 = twice as fast)")
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
	if c.dataDir == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return c, fmt.Errorf("no data directory: set -data or HSTOCKPLUS_DATA (%v)", err)
		}
		c.dataDir = filepath.Join(dir, "hstockplus")
	}
	return c, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func main() {
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
		if err := runApp(cfg); err != nil {
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

// runApp opens the window: on the real API when a key is configured, else on an in-process sandbox.
func runApp(cfg config) error {
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	endpoint, key, demo := cfg.apiURL, cfg.apiKey, cfg.demo || cfg.apiKey == ""
	if demo {
		srv, err := sandbox.New(sandbox.Options{Seed: 1})
		if err != nil {
			return err
		}
		run, err := sandbox.Listen("127.0.0.1:0", srv)
		if err != nil {
			return fmt.Errorf("demo sandbox: %w", err)
		}
		defer run.Close(context.Background())
		endpoint, key = run.URL, run.Key
		log.Printf("demo mode: built-in sandbox at %s", run.URL)
	}
	opts := []client.Option{
		client.WithEndpoint(endpoint),
		client.WithAPIKey(key),
		client.WithUserAgent("hstockplus/" + version),
		client.WithRateLimit(5, 10),
	}
	if cfg.lang != "" {
		opts = append(opts, client.WithLang(cfg.lang))
	}
	api, err := client.New(opts...)
	if err != nil {
		return err
	}

	a := app.NewWithID(appID)
	ui := gui.New(a, gui.Deps{API: api, Demo: demo, Version: version, Logf: log.Printf})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; fyne.Do(a.Quit) }()
	ui.Start()
	ui.Window().ShowAndRun()
	return nil
}
