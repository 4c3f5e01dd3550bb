// Command pulumi-language-python is Residency Kit's stand-in for Pulumi's Python language host.
//
// The real host (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) is not served by the Go
// module proxy, so the oracle cannot build it. This stand-in does the parts of its job that `pulumi preview` and
// `pulumi install` use, on the same sdk/v3 packages the real host uses:
//
//   - the interpreter comes from python/toolchain (ResolveToolchain: auto/pip/poetry/uv, `virtualenv`), with
//     the same option parsing (plugins default to `venv`, policy packs do not);
//   - programs run as `<python> pulumi-language-python-exec --monitor ... --organization ... <entry> <args>` (the
//     exec shim of the sdk/v3 module, found next to this binary), with PULUMI_CONFIG and
//     PULUMI_CONFIG_SECRET_KEYS in the environment, and exit code 32 meaning "already reported";
//   - policy packs run as `<python> -u -m pulumi.policy <args> <packDir>` in the pack directory, behind the
//     sdk's PolicyProxy, which answers Handshake/ConfigureStack and passes PULUMI_ORGANIZATION, PULUMI_PROJECT,
//     PULUMI_STACK, PULUMI_DRY_RUN and PULUMI_CONFIG to the pack;
//   - other plugins run as `<python> <pluginDir> <args>` in the request's pwd;
//   - GetRequiredPackages lists the environment's packages and their pulumi-plugin.json the way the real host
//     does, so the engine resolves the same provider plugins.
//
// Code generation, Pack, Link, debugging and type checkers are not implemented: the oracle never needs them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The exec shim that runs a program, shipped in the sdk/v3 module (python/cmd) and installed next to this binary.
const execShimName = "pulumi-language-python-exec"

// The exit code by which the shim says it has already shown the user an actionable message.
const exitAfterUserMessage = 32

func main() {
	flag.String("tracing", "", "accepted for compatibility; tracing is not emitted")
	showVersion := flag.Bool("version", false, "print the version and exit")
	executor := flag.String("use-executor", "", "the exec shim to use instead of the one next to this binary")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)

	shim := *executor
	if shim == "" {
		self, err := os.Executable()
		if err != nil {
			cmdutil.Exit(fmt.Errorf("could not determine current executable: %w", err))
		}
		shim = filepath.Join(filepath.Dir(self), execShimName)
		if _, err := os.Stat(shim); err != nil {
			cmdutil.Exit(fmt.Errorf("missing executor %s: %w", shim, err))
		}
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancel)
	}()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	host := newHost(shim, engineAddress)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	shim          string
	engineAddress string
	cancelCtx     context.Context
	cancel        context.CancelFunc
}

func newHost(shim, engineAddress string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{shim: shim, engineAddress: engineAddress, cancelCtx: ctx, cancel: cancel}
}

// pythonOptions reads runtime.options the way the real host does. Plugins other than policy packs default to a
// `venv` virtual environment under pip (or the automatic toolchain); programs and packs use the ambient
// interpreter when no virtualenv is set.
func pythonOptions(root, programDir string, options map[string]any, isPlugin bool) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: root, ProgramDir: programDir}
	if v, ok := options["virtualenv"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("virtualenv option must be a string")
		}
		opts.Virtualenv = s
	}
	if v, ok := options["typechecker"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("typechecker option must be a string")
		}
		switch s {
		case "mypy":
			opts.Typechecker = toolchain.TypeCheckerMypy
		case "pyright":
			opts.Typechecker = toolchain.TypeCheckerPyright
		default:
			return opts, fmt.Errorf("unsupported typechecker option: %s", s)
		}
	}
	if v, ok := options["toolchain"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("toolchain option must be a string")
		}
		switch s {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		case "uv":
			opts.Toolchain = toolchain.Uv
		default:
			return opts, fmt.Errorf("unsupported toolchain option: %s", s)
		}
	}
	if isPlugin && (opts.Toolchain == toolchain.Pip || opts.Toolchain == toolchain.Auto) && opts.Virtualenv == "" {
		opts.Virtualenv = "venv"
	}
	return opts, nil
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.EngineAddress
	hctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if err := rpcutil.Healthcheck(hctx, h.engineAddress, 5*time.Minute, stop); err != nil {
		return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return nil, status.Errorf(codes.Unimplemented, "method GetRequiredPlugins not implemented")
}

// Run executes a program through the exec shim.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.engineAddress == "" {
		return nil, errors.New("when debugging or running explicitly, must call Handshake before Run")
	}
	if req.GetAttachDebugger() {
		return &pulumirpc.RunResponse{Error: "this language host does not support debugging"}, nil
	}
	opts, err := pythonOptions(req.Info.RootDirectory, req.Info.ProgramDirectory, req.Info.Options.AsMap(), false)
	if err != nil {
		return nil, err
	}
	if opts.Typechecker != toolchain.TypeCheckerNone {
		return nil, errors.New("this language host does not run type checkers; unset runtime.options.typechecker")
	}

	args := append([]string{h.shim}, shimArguments(req, h.engineAddress)...)
	config, err := jsonOrEmpty(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := "[]"
	if keys := req.GetConfigSecretKeys(); keys != nil {
		b, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
		}
		secretKeys = string(b)
	}

	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	runCtx, runCancel := context.WithCancel(h.cancelCtx)
	defer runCancel()
	context.AfterFunc(ctx, runCancel)
	cmd, err := tc.Command(runCtx, args...)
	if err != nil {
		return nil, err
	}
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if config != "" {
		env = append(env, "PULUMI_CONFIG="+config)
	}
	cmd.Env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys)

	if err := cmd.Run(); err != nil {
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err),
			}, nil
		}
		code := exitErr.ExitCode()
		switch {
		case code == exitAfterUserMessage:
			return &pulumirpc.RunResponse{Bail: true}, nil
		case code > 0:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", code)}, nil
		default:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exitErr)}, nil
		}
	}
	return &pulumirpc.RunResponse{}, nil
}

// shimArguments builds the exec shim's command line: each flag only when it has a value, then the entry point,
// then the program's own arguments.
func shimArguments(req *pulumirpc.RunRequest, engineAddress string) []string {
	var args []string
	flagIfSet := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIfSet("monitor", req.GetMonitorAddress())
	flagIfSet("engine", engineAddress)
	flagIfSet("project", req.GetProject())
	flagIfSet("root_directory", req.GetInfo().GetRootDirectory())
	flagIfSet("stack", req.GetStack())
	flagIfSet("pwd", req.GetPwd())
	flagIfSet("dry_run", strconv.FormatBool(req.GetDryRun()))
	flagIfSet("parallel", strconv.Itoa(int(req.GetParallel())))
	flagIfSet("organization", req.GetOrganization())
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

func jsonOrEmpty(m map[string]string) (string, error) {
	if m == nil {
		return "", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// RunPlugin runs a Python plugin; for policy packs (kind "analyzer") it puts the sdk's PolicyProxy in front.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	if req.GetAttachDebugger() {
		return errors.New("this language host does not support debugging")
	}
	isAnalyzer := req.Kind == string(apitype.AnalyzerPlugin)
	opts, err := pythonOptions(req.Info.RootDirectory, req.Info.ProgramDirectory, req.Info.Options.AsMap(), !isAnalyzer)
	if err != nil {
		return err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}

	_, statErr := os.Stat(filepath.Join(opts.Root, "__main__.py"))
	if statErr != nil && !os.IsNotExist(statErr) {
		return fmt.Errorf("looking for __main__.py: %w", statErr)
	}
	hasMain := statErr == nil
	hasRunModule := true
	probe, err := tc.Command(ctx, "-c", "import pulumi.run.plugin")
	if err != nil {
		return err
	}
	if out, err := probe.CombinedOutput(); err != nil && strings.Contains(string(out), "ModuleNotFoundError") {
		hasRunModule = false
	}

	var cmd *exec.Cmd
	switch {
	case hasRunModule && !hasMain:
		buildable, err := toolchain.IsBuildablePackage(opts.Root)
		if err != nil {
			return fmt.Errorf("checking if plugin is a buildable package: %w", err)
		}
		if !buildable {
			return errors.New("plugin is not runnable, it provides neither __main__.py nor a buildable pyproject.toml")
		}
		pyproject, err := toolchain.LoadPyproject(opts.Root)
		if err != nil {
			return fmt.Errorf("loading pyproject: %w", err)
		}
		cmd, err = tc.ModuleCommand(ctx, "pulumi.run.plugin", append([]string{pyproject.Project.Name}, req.Args...)...)
		if err != nil {
			return err
		}
	case isAnalyzer:
		// Policy packs take the pack directory last (the old pulumi-analyzer-policy-python shim's convention).
		args := append([]string{"-u", "-m", "pulumi.policy"}, req.Args...)
		cmd, err = tc.Command(ctx, append(args, req.Info.ProgramDirectory)...)
		if err != nil {
			return err
		}
	default:
		cmd, err = tc.Command(ctx, append([]string{req.Info.ProgramDirectory}, req.Args...)...)
		if err != nil {
			return err
		}
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	var proxy *sdk.PolicyProxy
	if isAnalyzer {
		// Packs have always run in their own directory.
		cmd.Dir = req.Info.ProgramDirectory
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		stackConfig, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if stackConfig != nil {
			setIfNonEmpty := func(k, v string) {
				if v != "" {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
			}
			setIfNonEmpty("PULUMI_ORGANIZATION", stackConfig.Organization)
			setIfNonEmpty("PULUMI_PROJECT", stackConfig.Project)
			setIfNonEmpty("PULUMI_STACK", stackConfig.Stack)
			setIfNonEmpty("PULUMI_DRY_RUN", strconv.FormatBool(stackConfig.DryRun))
			if stackConfig.Config != nil {
				b, err := json.Marshal(stackConfig.Config)
				if err != nil {
					return fmt.Errorf("could not marshal stack configuration: %w", err)
				}
				setIfNonEmpty("PULUMI_CONFIG", string(b))
			}
		}
	} else {
		cmd.Dir = req.Pwd
	}
	cmd.Env = append(cmd.Env, req.Env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	if err := cmd.Start(); err != nil {
		return fmt.Errorf("problem executing plugin program (could not run language executor): %w", err)
	}
	if proxy != nil {
		if err := proxy.Attach(ctx, cmd); err != nil {
			return fmt.Errorf("could not attach policy pack proxy: %w", err)
		}
		return closer.Close()
	}
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				return server.Send(&pulumirpc.RunPluginResponse{
					Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(ws.ExitStatus())},
				})
			}
			return fmt.Errorf("program exited unexpectedly: %w", exitErr)
		}
		return fmt.Errorf("problem executing plugin program (could not run language executor): %w", err)
	}
	return closer.Close()
}

// InstallDependencies runs the toolchain's install (`pulumi install`), streaming its output to the engine.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	opts, err := pythonOptions(req.Info.RootDirectory, req.Info.ProgramDirectory, req.Info.Options.AsMap(), req.IsPlugin)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	if err := tc.InstallDependencies(server.Context(), req.Info.ProgramDirectory, req.UseLanguageVersionTools,
		true, stdout, stderr); err != nil {
		return fmt.Errorf("installing dependencies: %w", err)
	}
	return closer.Close()
}

// GetRequiredPackages reports the resource plugins the program's environment needs: every installed Pulumi package
// (one with a pulumi-plugin.json, or named pulumi-*) whose plugin JSON does not say `resource: false`.
func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	opts, err := pythonOptions(req.Info.RootDirectory, req.Info.ProgramDirectory, req.Info.Options.AsMap(), false)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.EnsureVenv(ctx, req.Info.ProgramDirectory, false, true, os.Stderr, os.Stderr); err != nil {
		return nil, err
	}
	installed, err := tc.ListPackages(ctx, true)
	if err != nil {
		return nil, err
	}
	pluginJSON, err := pluginJSONByPackage(ctx, tc, installed)
	if err != nil {
		return nil, err
	}
	packages := []*pulumirpc.PackageDependency{}
	for _, pkg := range installed {
		if pkg.Name == "pulumi-policy" || pkg.Name == "pulumi-esc-sdk" {
			continue // known to have no plugin
		}
		meta := pluginJSON[pkg.Name]
		if meta == nil && !strings.HasPrefix(pkg.Name, "pulumi-") {
			continue
		}
		if dep := packageDependency(pkg, meta); dep != nil {
			packages = append(packages, dep)
		}
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// The script prints {distribution name: path of its package's pulumi-plugin.json or ""}.
const findPluginJSONScript = `import importlib.metadata, importlib.util, json, os, sys
found = {}
for name in sys.argv[1:]:
    path = ""
    try:
        module = importlib.metadata.distribution(name).metadata["Name"].replace("-", "_")
        spec = importlib.util.find_spec(module)
        for location in (spec.submodule_search_locations or []) if spec else []:
            candidate = os.path.join(str(location), "pulumi-plugin.json")
            if os.path.isfile(candidate):
                path = candidate
                break
    except Exception:
        pass
    found[name] = path
print(json.dumps(found))`

func pluginJSONByPackage(ctx context.Context, tc toolchain.Toolchain, pkgs []plugin.DependencyInfo,
) (map[string]*plugin.PulumiPluginJSON, error) {
	result := map[string]*plugin.PulumiPluginJSON{}
	if len(pkgs) == 0 {
		return result, nil
	}
	args := []string{"-c", findPluginJSONScript}
	for _, p := range pkgs {
		args = append(args, p.Name)
	}
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return result, nil
	}
	out, err := cmd.Output()
	if err != nil {
		logging.V(5).Infof("could not locate pulumi-plugin.json files: %v", err)
		return result, nil
	}
	var paths map[string]string
	if err := json.Unmarshal(out, &paths); err != nil {
		return nil, fmt.Errorf("failed to parse pulumi-plugin.json paths: %w", err)
	}
	for name, path := range paths {
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		meta := &plugin.PulumiPluginJSON{}
		if err := json.Unmarshal(data, meta); err != nil {
			return nil, fmt.Errorf("failed to parse pulumi-plugin.json for %s: %w", name, err)
		}
		result[name] = meta
	}
	return result, nil
}

func packageDependency(pkg plugin.DependencyInfo, meta *plugin.PulumiPluginJSON) *pulumirpc.PackageDependency {
	dep := &pulumirpc.PackageDependency{Kind: "resource"}
	if meta != nil {
		if !meta.Resource {
			return nil
		}
		dep.Name, dep.Version, dep.Server = meta.Name, meta.Version, meta.Server
		if p := meta.Parameterization; p != nil {
			dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
		}
		if p := meta.ExtensionParameterization; p != nil {
			dep.Extension = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
		}
	}
	if dep.Name == "" {
		dep.Name = strings.TrimPrefix(pkg.Name, "pulumi-")
	}
	if dep.Version == "" {
		v, ok := pluginVersion(pkg.Version)
		if !ok {
			return nil
		}
		dep.Version = v
	}
	if !strings.HasPrefix(dep.Version, "v") {
		dep.Version = "v" + dep.Version
	}
	return dep
}

// pluginVersion turns a plain PEP 440 release (N.N[.N]) into a plugin version. Pre-, post- and dev-releases are
// skipped (the real host translates them; no package the oracle runs has one without a pulumi-plugin.json).
func pluginVersion(pep440 string) (string, bool) {
	parts := strings.Split(pep440, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return "", false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return "", false
		}
	}
	for len(parts) < 3 {
		parts = append(parts, "0")
	}
	return strings.Join(parts, "."), true
}
