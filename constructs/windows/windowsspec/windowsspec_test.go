package windowsspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInstanceDefaultsHaveNoProblemsAndBadSettingsAreNamed(t *testing.T) {
	assert.Empty(t, Instance{}.WithDefaults().Problems())
	problems := Instance{WindowsVersion: "2016", AmiID: "ami-xyz", InstanceType: "large"}.Problems()
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		`WindowsVersion "2016" is not a supported Windows Server version: use one of 2019, 2022, 2025`,
		`AmiID "ami-xyz" is not an AMI id: use ami- and 8 or 17 hexadecimal digits, or leave it out`,
		`InstanceType "large" is not an EC2 instance type: use one such as m6i.large`,
	}, got)
}
