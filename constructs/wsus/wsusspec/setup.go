package wsusspec

const (
	// SetupTimeoutSeconds is the setup document's step timeout: installing WSUS, its
	// post-install and the first category-only synchronisation.
	SetupTimeoutSeconds = 2 * 3600
	// RegistrationAllowanceSeconds is what the setup association's first run may wait for before
	// it starts: the server booting, its update store attaching and SSM Agent registering.
	RegistrationAllowanceSeconds = 30 * 60
	// SetupWaitSeconds is the setup association's WaitForSuccessTimeoutSeconds: CloudFormation
	// creates what depends on it (the health, cleanup and checks associations on the server) only
	// once its first run succeeded, and fails the deploy when it does not ("The number of seconds
	// the service should wait for the association status to show "Success" before proceeding with
	// the stack execution. If the association status doesn't show "Success" after the specified
	// number of seconds, then stack creation fails.", AWS::SSM::Association, CloudFormation User
	// Guide; 15 to 172800, the resource's schema; read 2026-12-07). Why: "If you create a new
	// association that is scheduled to run while an earlier association is still running, the
	// earlier association times out and the new association runs" ("About State Manager", the
	// Systems Manager User Guide's archived source, read 2026-12-07): the associations created
	// right after it would cut the first setup short, and it runs again only a day later.
	SetupWaitSeconds = SetupTimeoutSeconds + RegistrationAllowanceSeconds
)
