// Command failback-vcsim starts govmomi's vCenter/ESXi simulator (vcsim) for the tests of
// failback-vsphere. Debian's golang-github-vmware-govmomi-dev ships the simulator library
// (govmomi 0.24.2) but no vcsim command, so this small launcher builds the model, adds what
// failback's readiness checks read (a required login, a read-only account, a licence
// edition, TLS with a generated certificate) and serves it on 127.0.0.1.
//
// It prints one JSON line on stdout once the simulator listens:
//
//	{"url":"http://127.0.0.1:PORT/sdk","user":"U","esx":false,...}
//
// and serves until its stdin closes or it receives SIGINT/SIGTERM; then it closes the server
// and removes the model's temporary datastore folders (/tmp/govcsim-*).
//
// Build it offline (GOPATH layout, no modules):
//
//	GO111MODULE=off GOPATH=$PWD/failback-vsphere/vcsim:/usr/share/gocode go build -o failback-vcsim failback-vcsim
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// options are the command-line flags.
type options struct {
	esx             bool
	datacenters     int
	clusters        int
	hosts           int
	standaloneHosts int
	datastores      int
	vms             int
	powerOn         bool
	user            string
	password        string
	readonly        string
	license         string
	tls             bool
	certOut         string
	watchStdin      bool
}

// ready is the one JSON line printed on stdout once the simulator listens.
type ready struct {
	URL          string `json:"url"`
	User         string `json:"user"`
	ESX          bool   `json:"esx"`
	APIType      string `json:"api_type"`
	APIVersion   string `json:"api_version"`
	ReadonlyUser string `json:"readonly_user,omitempty"`
	License      string `json:"license"`
	TLS          bool   `json:"tls"`
	CertPEM      string `json:"cert_pem,omitempty"`
	CertFile     string `json:"cert_file,omitempty"`
	Thumbprint   string `json:"thumbprint,omitempty"`
	VMs          int    `json:"vms"`
	Hosts        int    `json:"hosts"`
	Datastores   int    `json:"datastores"`
	StartupMs    int64  `json:"startup_ms"`
	PID          int    `json:"pid"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("failback-vcsim: ")
	if err := run(); err != nil {
		log.Printf("%v", err)
		os.Exit(1)
	}
}

func parseFlags() (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("failback-vcsim", flag.ContinueOnError)
	fs.BoolVar(&o.esx, "esx", false, "a standalone ESXi host (HostAgent) instead of a vCenter (VirtualCenter)")
	fs.IntVar(&o.datacenters, "datacenters", 1, "vCenter: number of datacenters")
	fs.IntVar(&o.clusters, "clusters", 1, "vCenter: clusters per datacenter")
	fs.IntVar(&o.hosts, "hosts", 3, "vCenter: hosts in each cluster")
	fs.IntVar(&o.standaloneHosts, "standalone-hosts", 1, "vCenter: standalone hosts per datacenter")
	fs.IntVar(&o.datastores, "datastores", 1, "datastores per datacenter (each mounted on every host of the datacenter)")
	fs.IntVar(&o.vms, "vms", 2, "total number of VMs, spread evenly over the standalone hosts and clusters")
	fs.BoolVar(&o.powerOn, "power-on", true, "power the model's VMs on")
	fs.StringVar(&o.user, "user", "user", "the only user name that logs in (with -password), besides -readonly-user")
	fs.StringVar(&o.password, "password", "pass", "the password of -user")
	fs.StringVar(&o.readonly, "readonly-user", "", "USER:PASSWORD of a second account holding the ReadOnly role on the root folder")
	fs.StringVar(&o.license, "license", "eval", "the hosts' licence edition key: eval, esxBasic (free vSphere Hypervisor), esxEssentials, esxStandard, esxEnterprise, esxEnterprisePlus, or any other key")
	fs.BoolVar(&o.tls, "tls", false, "serve https with a generated self-signed certificate (its PEM is in the JSON line)")
	fs.StringVar(&o.certOut, "cert-out", "", "with -tls, also write the certificate's PEM to this file")
	fs.BoolVar(&o.watchStdin, "watch-stdin", true, "stop when stdin closes (besides SIGINT/SIGTERM)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.esx {
		for _, name := range []string{"datacenters", "clusters", "hosts", "standalone-hosts"} {
			if set[name] {
				return nil, fmt.Errorf("-%s describes a vCenter inventory; an ESXi model (-esx) has one host", name)
			}
		}
	}
	for name, n := range map[string]int{"datacenters": o.datacenters, "clusters": o.clusters, "hosts": o.hosts,
		"standalone-hosts": o.standaloneHosts, "datastores": o.datastores, "vms": o.vms} {
		if n < 0 {
			return nil, fmt.Errorf("-%s must not be negative, got %d", name, n)
		}
	}
	if o.vms > 0 && o.datastores == 0 {
		return nil, errors.New("-vms needs at least one datastore (-datastores)")
	}
	if !o.esx && o.vms > 0 && o.datacenters*(o.clusters+o.standaloneHosts) == 0 {
		return nil, errors.New("-vms needs a cluster or a standalone host to place them on")
	}
	if o.user == "" || o.password == "" {
		return nil, errors.New("-user and -password must not be empty")
	}
	if o.readonly != "" {
		u, p, ok := strings.Cut(o.readonly, ":")
		if !ok || u == "" || p == "" {
			return nil, errors.New("-readonly-user takes USER:PASSWORD")
		}
		if u == o.user {
			return nil, errors.New("-readonly-user must differ from -user")
		}
	}
	if o.license == "" {
		return nil, errors.New("-license must not be empty")
	}
	if o.certOut != "" && !o.tls {
		return nil, errors.New("-cert-out needs -tls")
	}
	return o, nil
}

func run() error {
	start := time.Now()
	o, err := parseFlags()
	if err != nil {
		return err
	}

	// The licence the model's LicenseManager and LicenseAssignmentManager report: vcsim
	// copies simulator.EvalLicense when it creates them, and reads it on every query.
	simulator.EvalLicense = licenseInfo(o.license)

	var roUser, roPassword string
	if o.readonly != "" {
		roUser, roPassword, _ = strings.Cut(o.readonly, ":")
		// The UserDirectory lists it, and the AuthorizationManager's init gives every
		// default principal a permission on the root folder (replaced by ReadOnly below).
		simulator.DefaultUserGroup = append(simulator.DefaultUserGroup,
			&types.UserSearchResult{FullName: roUser, Group: false, Principal: roUser})
	}

	var model *simulator.Model
	if o.esx {
		model = simulator.ESX()
	} else {
		model = simulator.VPX()
		model.Datacenter = o.datacenters
		model.Cluster = o.clusters
		model.ClusterHost = o.hosts
		model.Host = o.standaloneHosts
	}
	model.Datastore = o.datastores
	model.Machine = 0 // created below, to reach exactly -vms
	model.Autostart = o.powerOn

	if err := model.Create(); err != nil {
		model.Remove()
		return fmt.Errorf("creating the model: %w", err)
	}
	defer model.Remove()

	ctx := context.Background()
	client, err := vim25.NewClient(ctx, model.Service)
	if err != nil {
		return fmt.Errorf("in-process client: %w", err)
	}
	if err := createVMs(ctx, client, o.vms, o.powerOn); err != nil {
		return fmt.Errorf("creating %d VMs: %w", o.vms, err)
	}

	content := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content
	authz := simulator.Map.Get(*content.AuthorizationManager).(*simulator.AuthorizationManager)
	readOnlyRole := roleByName(authz.RoleList, "ReadOnly")
	if readOnlyRole == nil {
		return errors.New("vcsim's role list has no ReadOnly role")
	}
	if roUser != "" {
		if err := grantReadOnly(authz, content.RootFolder, roUser, readOnlyRole.RoleId); err != nil {
			return err
		}
	}
	simulator.Map.Put(&authorizationManager{AuthorizationManager: *authz, readonlyUser: roUser, readOnly: readOnlyRole.Privilege})
	if content.LicenseManager != nil {
		lm := simulator.Map.Get(*content.LicenseManager).(*simulator.LicenseManager)
		if lm.LicenseAssignmentManager != nil {
			lam := simulator.Map.Get(*lm.LicenseAssignmentManager).(*simulator.LicenseAssignmentManager)
			simulator.Map.Put(&licenseAssignmentManager{LicenseAssignmentManager: *lam, instanceUUID: content.About.InstanceUuid})
		}
	}

	out := ready{
		User:         o.user,
		ESX:          o.esx,
		APIType:      content.About.ApiType,
		APIVersion:   content.About.ApiVersion,
		ReadonlyUser: roUser,
		License:      o.license,
		TLS:          o.tls,
		VMs:          len(simulator.Map.All("VirtualMachine")),
		Hosts:        len(simulator.Map.All("HostSystem")),
		Datastores:   len(simulator.Map.All("Datastore")),
		PID:          os.Getpid(),
	}

	model.Service.Listen = &url.URL{Host: "127.0.0.1:0"}
	model.Service.RegisterEndpoints = true
	if o.tls {
		cert, certPEM, err := selfSignedCert()
		if err != nil {
			return err
		}
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		out.CertPEM = string(certPEM)
		sum := sha1.Sum(cert.Certificate[0])
		out.Thumbprint = colonHex(sum[:])
		if o.certOut != "" {
			if err := ioutil.WriteFile(o.certOut, certPEM, 0o644); err != nil {
				return fmt.Errorf("writing -cert-out: %w", err)
			}
			out.CertFile = o.certOut
		}
	}

	server := model.Service.NewServer()
	defer server.Close()
	// Logins are checked here, in front of vcsim: with no user in its listen URL vcsim
	// accepts any non-empty name and password, and this guard lets only -user and
	// -readonly-user through, and keeps the read-only sessions to reading. The handler is
	// swapped before the address is printed, so no request has reached the server yet.
	g := &guard{
		next:     server.Config.Handler,
		accounts: map[string]string{o.user: o.password},
		readonly: map[string]bool{},
	}
	if roUser != "" {
		g.accounts[roUser] = roPassword
		g.roUser = roUser
	}
	server.Config.Handler = g

	u := *server.URL
	u.User = nil
	out.URL = u.String()
	out.StartupMs = time.Since(start).Milliseconds()
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(os.Stdout, "%s\n", line); err != nil {
		return fmt.Errorf("writing the ready line: %w", err)
	}

	stop := make(chan string, 2)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() { stop <- (<-signals).String() }()
	if o.watchStdin {
		go func() {
			_, _ = io.Copy(ioutil.Discard, os.Stdin)
			stop <- "stdin closed"
		}()
	}
	reason := <-stop
	log.Printf("stopping (%s)", reason)
	return nil
}

// createVMs creates n VMs spread evenly over the model's VM containers (each standalone
// host's and each cluster's root resource pool), named as vcsim names its own
// (DC0_H0_VM0, DC0_C0_RP0_VM0, ha-host_VM0), each with a pvscsi controller, a CD-ROM,
// a 1 MB disk and a NIC on the first network, and powers them on.
func createVMs(ctx context.Context, c *vim25.Client, n int, powerOn bool) error {
	if n == 0 {
		return nil
	}
	type container struct {
		prefix string
		pool   types.ManagedObjectReference
		host   *types.ManagedObjectReference
		folder types.ManagedObjectReference
		net    types.BaseVirtualDeviceBackingInfo
	}
	var containers []container
	for _, kind := range []string{"ComputeResource", "ClusterComputeResource"} {
		for _, e := range simulator.Map.All(kind) {
			var cr *mo.ComputeResource
			prefix := e.Entity().Name
			switch x := e.(type) {
			case *simulator.ClusterComputeResource:
				cr = &x.ComputeResource
				prefix += "_RP0"
			case *mo.ComputeResource:
				cr = x
			default:
				return fmt.Errorf("%s: not a compute resource (%T)", e.Reference(), e)
			}
			if cr.ResourcePool == nil {
				return fmt.Errorf("%s has no resource pool", cr.Self)
			}
			ct := container{prefix: prefix, pool: *cr.ResourcePool}
			if kind == "ComputeResource" && len(cr.Host) > 0 {
				h := cr.Host[0]
				ct.host = &h
				if h.Value == "ha-host" {
					ct.prefix = h.Value // the ESXi model, as vcsim names its VMs
				}
			}
			dc := datacenterOf(e)
			if dc == nil {
				return fmt.Errorf("%s is in no datacenter", cr.Self)
			}
			ct.folder = dc.VmFolder
			ct.net = networkBacking(ctx, c, dc)
			containers = append(containers, ct)
		}
	}
	if len(containers) == 0 {
		return errors.New("the model has no host or cluster")
	}
	sort.Slice(containers, func(i, j int) bool { return containers[i].prefix < containers[j].prefix })

	for i, ct := range containers {
		count := n / len(containers)
		if i < n%len(containers) {
			count++
		}
		folder := object.NewFolder(c, ct.folder)
		pool := object.NewResourcePool(c, ct.pool)
		var host *object.HostSystem
		if ct.host != nil {
			host = object.NewHostSystem(c, *ct.host)
		}
		for k := 0; k < count; k++ {
			name := fmt.Sprintf("%s_VM%d", ct.prefix, k)
			spec := types.VirtualMachineConfigSpec{
				Name:    name,
				GuestId: string(types.VirtualMachineGuestOsIdentifierOtherGuest),
				Files:   &types.VirtualMachineFileInfo{VmPathName: "[LocalDS_0]"},
			}
			var devices object.VirtualDeviceList
			scsi, err := devices.CreateSCSIController("pvscsi")
			if err != nil {
				return err
			}
			ide, err := devices.CreateIDEController()
			if err != nil {
				return err
			}
			cdrom, err := devices.CreateCdrom(ide.(*types.VirtualIDEController))
			if err != nil {
				return err
			}
			disk := devices.CreateDisk(scsi.(types.BaseVirtualController), types.ManagedObjectReference{},
				spec.Files.VmPathName+" "+name+"/disk1.vmdk")
			disk.CapacityInKB = 1024
			devices = append(devices, scsi, cdrom, disk)
			if ct.net != nil {
				nic, err := devices.CreateEthernetCard("vmxnet3", ct.net)
				if err != nil {
					return err
				}
				devices = append(devices, nic)
			}
			spec.DeviceChange, err = devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
			if err != nil {
				return err
			}
			task, err := folder.CreateVM(ctx, spec, pool, host)
			if err != nil {
				return err
			}
			info, err := task.WaitForResult(ctx, nil)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if powerOn {
				vm := object.NewVirtualMachine(c, info.Result.(types.ManagedObjectReference))
				task, err := vm.PowerOn(ctx)
				if err != nil {
					return err
				}
				if err := task.Wait(ctx); err != nil {
					return fmt.Errorf("powering %s on: %w", name, err)
				}
			}
		}
	}
	return nil
}

// datacenterOf walks an entity's parents up to its datacenter.
func datacenterOf(e mo.Entity) *simulator.Datacenter {
	for e != nil {
		if dc, ok := e.(*simulator.Datacenter); ok {
			return dc
		}
		parent := e.Entity().Parent
		if parent == nil {
			return nil
		}
		e, _ = simulator.Map.Get(*parent).(mo.Entity)
	}
	return nil
}

// networkBacking is the NIC backing of the datacenter's first distributed portgroup
// (DC0_DVPG0, as vcsim's own model uses), else of its first standard network.
func networkBacking(ctx context.Context, c *vim25.Client, dc *simulator.Datacenter) types.BaseVirtualDeviceBackingInfo {
	folder, ok := simulator.Map.Get(dc.NetworkFolder).(*simulator.Folder)
	if !ok {
		return nil
	}
	var first types.BaseVirtualDeviceBackingInfo
	for _, ref := range folder.ChildEntity {
		e, ok := simulator.Map.Get(ref).(mo.Entity)
		if !ok {
			continue
		}
		switch {
		case ref.Type == "DistributedVirtualPortgroup" && strings.HasSuffix(e.Entity().Name, "_DVPG0"):
			if b, err := object.NewDistributedVirtualPortgroup(c, ref).EthernetCardBackingInfo(ctx); err == nil {
				return b
			}
		case ref.Type == "Network" && first == nil:
			if b, err := object.NewNetwork(c, ref).EthernetCardBackingInfo(ctx); err == nil {
				first = b
			}
		}
	}
	return first
}

func roleByName(roles []types.AuthorizationRole, name string) *types.AuthorizationRole {
	for i := range roles {
		if roles[i].Name == name {
			return &roles[i]
		}
	}
	return nil
}

// grantReadOnly turns the read-only user's permission on the root folder (vcsim's init
// gives every default principal Admin) into the ReadOnly role, so that
// RetrieveEntityPermissions tells the truth.
func grantReadOnly(authz *simulator.AuthorizationManager, root types.ManagedObjectReference, user string, role int32) error {
	res, ok := authz.RetrieveEntityPermissions(&types.RetrieveEntityPermissions{Entity: root}).(*methods.RetrieveEntityPermissionsBody)
	if !ok || res.Res == nil {
		return errors.New("reading the root folder's permissions")
	}
	perms := res.Res.Returnval
	found := false
	for i := range perms {
		if perms[i].Principal == user && !perms[i].Group {
			perms[i].RoleId = role
			found = true
		}
	}
	if !found {
		perms = append(perms, types.Permission{Entity: &root, Principal: user, RoleId: role, Propagate: true})
	}
	authz.SetEntityPermissions(&types.SetEntityPermissions{Entity: root, Permission: perms})
	return nil
}

// authorizationManager answers privilege checks by user: the read-only user holds only
// the ReadOnly role's privileges (System.Anonymous, System.Read, System.View) on every
// entity, every other user all of them (vcsim's own answer). It embeds vcsim's type by
// value: the property collector finds the mo type as the first field.
type authorizationManager struct {
	simulator.AuthorizationManager

	readonlyUser string
	readOnly     []string
}

func (m *authorizationManager) granted(user, priv string) bool {
	if m.readonlyUser == "" || user != m.readonlyUser {
		return true
	}
	for _, p := range m.readOnly {
		if p == priv {
			return true
		}
	}
	return false
}

func sessionUser(ctx *simulator.Context) string {
	if ctx == nil || ctx.Session == nil {
		return ""
	}
	return ctx.Session.UserName
}

func (m *authorizationManager) entityPrivileges(user string, entities []types.ManagedObjectReference, privs []string) []types.EntityPrivilege {
	var out []types.EntityPrivilege
	for _, e := range entities {
		p := types.EntityPrivilege{Entity: e}
		for _, id := range privs {
			p.PrivAvailability = append(p.PrivAvailability, types.PrivilegeAvailability{PrivId: id, IsGranted: m.granted(user, id)})
		}
		out = append(out, p)
	}
	return out
}

// HasPrivilegeOnEntities answers for the session's user.
func (m *authorizationManager) HasPrivilegeOnEntities(ctx *simulator.Context, req *types.HasPrivilegeOnEntities) soap.HasFault {
	return &methods.HasPrivilegeOnEntitiesBody{Res: &types.HasPrivilegeOnEntitiesResponse{
		Returnval: m.entityPrivileges(sessionUser(ctx), req.Entity, req.PrivId),
	}}
}

// HasPrivilegeOnEntity answers for the session's user.
func (m *authorizationManager) HasPrivilegeOnEntity(ctx *simulator.Context, req *types.HasPrivilegeOnEntity) soap.HasFault {
	p := make([]bool, len(req.PrivId))
	for i, id := range req.PrivId {
		p[i] = m.granted(sessionUser(ctx), id)
	}
	return &methods.HasPrivilegeOnEntityBody{Res: &types.HasPrivilegeOnEntityResponse{Returnval: p}}
}

// HasUserPrivilegeOnEntities answers for the user named in the request.
func (m *authorizationManager) HasUserPrivilegeOnEntities(req *types.HasUserPrivilegeOnEntities) soap.HasFault {
	return &methods.HasUserPrivilegeOnEntitiesBody{Res: &types.HasUserPrivilegeOnEntitiesResponse{
		Returnval: m.entityPrivileges(req.UserName, req.Entities, req.PrivId),
	}}
}

// FetchUserPrivilegeOnEntities lists the ReadOnly role's privileges for the read-only
// user, the Admin role's for the others.
func (m *authorizationManager) FetchUserPrivilegeOnEntities(req *types.FetchUserPrivilegeOnEntities) soap.HasFault {
	if m.readonlyUser == "" || req.UserName != m.readonlyUser {
		return m.AuthorizationManager.FetchUserPrivilegeOnEntities(req)
	}
	var p []types.UserPrivilegeResult
	for _, e := range req.Entities {
		p = append(p, types.UserPrivilegeResult{Entity: e, Privileges: m.readOnly})
	}
	return &methods.FetchUserPrivilegeOnEntitiesBody{Res: &types.FetchUserPrivilegeOnEntitiesResponse{Returnval: p}}
}

// licenseAssignmentManager answers QueryAssignedLicenses as vCenter does: one assignment
// per host (the -license edition) and one for vCenter itself (evaluation), all of them
// when no entity is named. vcsim 0.24.2 answers one assignment, with the entity id asked.
type licenseAssignmentManager struct {
	simulator.LicenseAssignmentManager

	instanceUUID string
}

// QueryAssignedLicenses lists the assignments of one entity or of all.
func (m *licenseAssignmentManager) QueryAssignedLicenses(req *types.QueryAssignedLicenses) soap.HasFault {
	var out []types.LicenseAssignmentManagerLicenseAssignment
	vc := types.LicenseAssignmentManagerLicenseAssignment{
		EntityId:          m.instanceUUID,
		Scope:             m.instanceUUID,
		EntityDisplayName: "vcsim",
		AssignedLicense:   vcenterLicense(),
	}
	if req.EntityId == "" || req.EntityId == m.instanceUUID {
		out = append(out, vc)
	}
	hosts := simulator.Map.All("HostSystem")
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Reference().Value < hosts[j].Reference().Value })
	for _, h := range hosts {
		id := h.Reference().Value
		if req.EntityId != "" && req.EntityId != id {
			continue
		}
		out = append(out, types.LicenseAssignmentManagerLicenseAssignment{
			EntityId:          id,
			Scope:             m.instanceUUID,
			EntityDisplayName: h.Entity().Name,
			AssignedLicense:   simulator.EvalLicense,
		})
	}
	return &methods.QueryAssignedLicensesBody{Res: &types.QueryAssignedLicensesResponse{Returnval: out}}
}

// editions names the licence editions failback meets; other keys are used as given.
var editions = map[string]string{
	"eval":              "Evaluation Mode",
	"esxBasic":          "VMware vSphere 7 Hypervisor",
	"esxEssentials":     "VMware vSphere 7 Essentials",
	"esxEssentialsPlus": "VMware vSphere 7 Essentials Plus",
	"esxStandard":       "VMware vSphere 7 Standard",
	"esxEnterprise":     "VMware vSphere 7 Enterprise",
	"esxEnterprisePlus": "VMware vSphere 7 Enterprise Plus",
}

// licenseInfo is the host licence of the given edition: vcsim's evaluation licence for
// "eval", otherwise a licence with the edition's key, name and product properties.
func licenseInfo(edition string) types.LicenseManagerLicenseInfo {
	info := simulator.EvalLicense
	if edition == "eval" {
		return info
	}
	name, ok := editions[edition]
	if !ok {
		name = edition
	}
	info.EditionKey = edition
	info.Name = name
	info.LicenseKey = licenseKey(edition)
	info.CostUnit = "cpuPackage"
	info.Properties = append([]types.KeyAnyValue{
		{Key: "ProductName", Value: "VMware ESX Server"},
		{Key: "ProductVersion", Value: "7.0"},
	}, info.Properties...)
	return info
}

// licenseKey is a fixed, made-up key per edition, in vSphere's five groups of five.
func licenseKey(edition string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(edition))
	const digits = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	n := h.Sum64()
	var b strings.Builder
	for i := 0; i < 25; i++ {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(digits[n%uint64(len(digits))])
		n = n/uint64(len(digits)) ^ uint64(i+1)*0x9E3779B97F4A7C15
	}
	return b.String()
}

// vcenterLicense is vCenter's own (evaluation) licence, whatever the hosts' edition.
func vcenterLicense() types.LicenseManagerLicenseInfo {
	return types.LicenseManagerLicenseInfo{
		LicenseKey: "00000-00000-00000-00000-00000",
		EditionKey: "eval",
		Name:       "Evaluation Mode",
		CostUnit:   "server",
		Properties: []types.KeyAnyValue{
			{Key: "ProductName", Value: "VMware VirtualCenter Server"},
			{Key: "ProductVersion", Value: "7.0"},
		},
	}
}

// selfSignedCert makes a self-signed ECDSA P-256 server certificate for 127.0.0.1 and
// localhost, valid for a day (an end-entity certificate, not a CA: rustls refuses a CA
// certificate presented as the server's).
func selfSignedCert() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "127.0.0.1", Organization: []string{"failback vcsim"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return cert, certPEM, nil
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

// guard sits in front of vcsim's HTTP handler. It checks every login against the
// accounts (vcsim 0.24.2 holds one user at most, in its listen URL), refuses the token
// and certificate logins vcsim would accept from anyone, and refuses the read-only
// sessions any method that is not a read, with NoPermission.
type guard struct {
	next     http.Handler
	accounts map[string]string
	roUser   string

	mu       sync.Mutex
	readonly map[string]bool // session cookie values of the read-only user
}

// call is what the guard reads of a SOAP request.
type call struct {
	method   string
	thisType string
	thisID   string
	userName string
	password string
}

const maxBody = 64 << 20

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		g.next.ServeHTTP(w, r)
		return
	}
	body, err := ioutil.ReadAll(io.LimitReader(r.Body, maxBody))
	_ = r.Body.Close()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c, ok := parseCall(body)
	if ok {
		switch c.method {
		case "Login":
			if pw, known := g.accounts[c.userName]; !known || pw != c.password || c.password == "" {
				// vcsim answers its own InvalidLogin fault to an empty password.
				body = []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>`+
					`<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>`+
					`<Login xmlns="urn:vim25"><_this type="%s">%s</_this><userName>%s</userName><password></password></Login>`+
					`</Body></Envelope>`, xmlEscape(c.thisType), xmlEscape(c.thisID), xmlEscape(c.userName)))
			}
		case "LoginByToken", "LoginExtensionByCertificate", "LoginExtensionBySubjectName", "LoginExtensionByLocalhost", "LoginBySSPI", "ImpersonateUser":
			writeFault(w, "Cannot complete login due to an incorrect user name or password.", `<InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault>`)
			return
		default:
			if g.isReadonly(r) && !readMethods[c.method] {
				priv := privilegeFor(c, body)
				writeFault(w, fmt.Sprintf("Permission to perform this operation was denied (%s needs %s; %s holds the ReadOnly role).", c.method, priv, g.roUser),
					fmt.Sprintf(`<NoPermissionFault xmlns="urn:vim25" xsi:type="NoPermission"><object type="%s">%s</object><privilegeId>%s</privilegeId></NoPermissionFault>`,
						xmlEscape(c.thisType), xmlEscape(c.thisID), xmlEscape(priv)))
				return
			}
		}
	}
	r.Body = ioutil.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if ok && c.method == "Login" && g.roUser != "" && c.userName == g.roUser {
		g.next.ServeHTTP(w, r)
		for _, ck := range (&http.Response{Header: w.Header()}).Cookies() {
			if ck.Name == soap.SessionCookieName {
				g.mu.Lock()
				g.readonly[ck.Value] = true
				g.mu.Unlock()
			}
		}
		return
	}
	g.next.ServeHTTP(w, r)
}

func (g *guard) isReadonly(r *http.Request) bool {
	if g.roUser == "" {
		return false
	}
	ck, err := r.Cookie(soap.SessionCookieName)
	if err != nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.readonly[ck.Value]
}

// parseCall reads the method name (the Body's first element), its _this and, for a
// login, the user name and password. Namespaces are matched by local name.
func parseCall(body []byte) (call, bool) {
	var c call
	d := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	inBody := -1
	field := ""
	for {
		tok, err := d.Token()
		if err != nil {
			return c, c.method != ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case inBody < 0 && t.Name.Local == "Body":
				inBody = depth
			case inBody > 0 && depth == inBody+1 && c.method == "":
				c.method = t.Name.Local
			case c.method != "" && depth == inBody+2:
				field = t.Name.Local
				if field == "_this" {
					for _, a := range t.Attr {
						if a.Name.Local == "type" {
							c.thisType = a.Value
						}
					}
				}
			}
		case xml.EndElement:
			if c.method != "" && depth == inBody+1 {
				return c, true
			}
			depth--
			field = ""
		case xml.CharData:
			switch field {
			case "_this":
				c.thisID += string(t)
			case "userName":
				c.userName += string(t)
			case "password":
				c.password += string(t)
			}
		}
	}
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func writeFault(w http.ResponseWriter, msg, detail string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
		`<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail>%s</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		xmlEscape(msg), detail)
}

// readMethods are the methods a read-only session may call: reading properties, views,
// events, tasks, permissions, privileges, licences, searches and the session's own
// bookkeeping.
var readMethods = setOf(
	"RetrieveServiceContent", "Login", "Logout", "SessionIsActive", "CurrentTime", "SetLocale",
	"RetrieveProperties", "RetrievePropertiesEx", "ContinueRetrievePropertiesEx", "CancelRetrievePropertiesEx",
	"CreateFilter", "DestroyPropertyFilter", "CreatePropertyCollector", "DestroyPropertyCollector",
	"WaitForUpdates", "WaitForUpdatesEx", "CheckForUpdates", "CancelWaitForUpdates", "Fetch",
	"CreateContainerView", "CreateListView", "CreateListViewFromView", "CreateInventoryView", "DestroyView",
	"ModifyListView", "ResetListView", "ResetListViewFromView",
	"HasPrivilegeOnEntities", "HasPrivilegeOnEntity", "HasUserPrivilegeOnEntities", "FetchUserPrivilegeOnEntities",
	"RetrieveEntityPermissions", "RetrieveAllPermissions", "RetrieveRolePermissions", "RetrieveUserGroups",
	"QueryEvents", "CreateCollectorForEvents", "ReadNextEvents", "ReadPreviousEvents", "RetrieveArgumentDescription",
	"CreateCollectorForTasks", "ReadNextTasks", "ReadPreviousTasks",
	"RewindCollector", "ResetCollector", "DestroyCollector", "SetCollectorPageSize",
	"QueryAssignedLicenses", "QuerySupportedFeatures", "QueryLicenseUsage", "DecodeLicense", "QueryLicenseSourceAvailability",
	"FindByUuid", "FindAllByUuid", "FindByDatastorePath", "FindByDnsName", "FindAllByDnsName", "FindByIp", "FindAllByIp",
	"FindByInventoryPath", "FindChild",
	"QueryPerf", "QueryPerfComposite", "QueryAvailablePerfMetric", "QueryPerfProviderSummary", "QueryPerfCounter", "QueryPerfCounterByLevel",
	"QueryOptions", "QueryConfigOption", "QueryConfigOptionEx", "QueryConfigOptionDescriptor", "QueryConfigTarget", "QueryTargetCapabilities",
	"QueryMemoryOverheadEx", "RetrieveHardwareUptime", "QueryDvsConfigTarget", "QueryDvsByUuid",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// privileges names the privilege a write method needs (what vCenter reports in
// NoPermission.privilegeId); the ones failback calls are here.
var privileges = map[string]string{
	"CreateVM_Task":                  "VirtualMachine.Inventory.Create",
	"CloneVM_Task":                   "VirtualMachine.Provisioning.Clone",
	"RegisterVM_Task":                "VirtualMachine.Inventory.Register",
	"UnregisterVM":                   "VirtualMachine.Inventory.Unregister",
	"PowerOnVM_Task":                 "VirtualMachine.Interact.PowerOn",
	"PowerOffVM_Task":                "VirtualMachine.Interact.PowerOff",
	"ShutdownGuest":                  "VirtualMachine.Interact.PowerOff",
	"ResetVM_Task":                   "VirtualMachine.Interact.Reset",
	"CreateSnapshot_Task":            "VirtualMachine.State.CreateSnapshot",
	"RemoveSnapshot_Task":            "VirtualMachine.State.RemoveSnapshot",
	"RemoveAllSnapshots_Task":        "VirtualMachine.State.RemoveSnapshot",
	"RevertToSnapshot_Task":          "VirtualMachine.State.RevertToSnapshot",
	"RevertToCurrentSnapshot_Task":   "VirtualMachine.State.RevertToSnapshot",
	"RenameSnapshot":                 "VirtualMachine.State.RenameSnapshot",
	"RelocateVM_Task":                "Resource.ColdMigrate",
	"MigrateVM_Task":                 "Resource.HotMigrate",
	"MoveIntoFolder_Task":            "VirtualMachine.Inventory.Move",
	"Rename_Task":                    "VirtualMachine.Config.Rename",
	"PostEvent":                      "Global.LogEvent",
	"LogUserEvent":                   "Global.LogEvent",
	"SearchDatastore_Task":           "Datastore.Browse",
	"SearchDatastoreSubFolders_Task": "Datastore.Browse",
	"DeleteDatastoreFile_Task":       "Datastore.FileManagement",
	"MakeDirectory":                  "Datastore.FileManagement",
	"MoveDatastoreFile_Task":         "Datastore.FileManagement",
	"CopyDatastoreFile_Task":         "Datastore.FileManagement",
	"DeleteVirtualDisk_Task":         "Datastore.FileManagement",
	"CreateVirtualDisk_Task":         "Datastore.AllocateSpace",
	"CopyVirtualDisk_Task":           "Datastore.AllocateSpace",
	"CreateFolder":                   "Folder.Create",
	"CancelTask":                     "Global.CancelTask",
	"SetField":                       "Global.SetCustomField",
	"AddCustomFieldDef":              "Global.ManageCustomFields",
	"UpdateOptions":                  "Global.Settings",
	"AddLicense":                     "Global.Licenses",
	"RemoveLicense":                  "Global.Licenses",
	"UpdateAssignedLicense":          "Global.Licenses",
	"SetEntityPermissions":           "Authorization.ModifyPermissions",
	"RemoveEntityPermission":         "Authorization.ModifyPermissions",
	"AddAuthorizationRole":           "Authorization.ModifyRoles",
	"UpdateAuthorizationRole":        "Authorization.ModifyRoles",
	"RemoveAuthorizationRole":        "Authorization.ModifyRoles",
	"CreateResourcePool":             "Resource.CreatePool",
}

// privilegeFor names the privilege a refused call lacks. ReconfigVM_Task needs the one of
// its change: hot-adding an existing disk, adding a new one, removing one, extraConfig.
func privilegeFor(c call, body []byte) string {
	if c.method == "Destroy_Task" {
		switch c.thisType {
		case "VirtualMachine":
			return "VirtualMachine.Inventory.Delete"
		case "Folder":
			return "Folder.Delete"
		case "Datacenter":
			return "Datacenter.Delete"
		case "ResourcePool":
			return "Resource.DeletePool"
		}
		return "Host.Inventory.DeleteCluster"
	}
	if c.method == "ReconfigVM_Task" {
		s := string(body)
		disk := strings.Contains(s, "VirtualDisk")
		switch {
		case disk && strings.Contains(s, ">add<") && strings.Contains(s, ">create<"):
			return "VirtualMachine.Config.AddNewDisk"
		case disk && strings.Contains(s, ">add<"):
			return "VirtualMachine.Config.AddExistingDisk"
		case disk && strings.Contains(s, ">remove<"):
			return "VirtualMachine.Config.RemoveDisk"
		case strings.Contains(s, "extraConfig"):
			return "VirtualMachine.Config.AdvancedConfig"
		case strings.Contains(s, "deviceChange"):
			return "VirtualMachine.Config.EditDevice"
		}
		return "VirtualMachine.Config.Settings"
	}
	if p, ok := privileges[c.method]; ok {
		return p
	}
	// No entry: a write this launcher does not know; the name says so rather than guess.
	return "Vcsim.UnknownPrivilegeFor." + c.method
}
