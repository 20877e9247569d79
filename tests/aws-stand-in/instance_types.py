"""What DescribeInstanceTypes tells of a handful of instance types, in the shape of botocore's
ec2 model (InstanceTypeInfo): Nitro x86-64 types (every size deploy picks by default, and a few
more), Xen types (no NVMe, no ENA: t2, m4, c4, r4, i3 but its metal size) and Graviton (arm64)
types, with the values AWS gives for them."""

GIB = 1024


def _info(name, hypervisor, architecture, vcpus, memory_gib, ena, nvme, bare_metal=False,
          burstable=False):
    info = {'InstanceType': name, 'CurrentGeneration': hypervisor != 'xen',
            'SupportedUsageClasses': ['on-demand', 'spot'],
            'SupportedRootDeviceTypes': ['ebs'],
            'SupportedVirtualizationTypes': ['hvm'],
            'BareMetal': bare_metal,
            'ProcessorInfo': {'SupportedArchitectures': [architecture]},
            'VCpuInfo': {'DefaultVCpus': vcpus},
            'MemoryInfo': {'SizeInMiB': int(memory_gib * GIB)},
            'EbsInfo': {'EbsOptimizedSupport': 'default' if nvme != 'unsupported' else 'supported',
                        'EncryptionSupport': 'supported', 'NvmeSupport': nvme},
            'NetworkInfo': {'EnaSupport': ena},
            'BurstablePerformanceSupported': burstable,
            'SupportedBootModes': ['legacy-bios', 'uefi'] if architecture == 'x86_64'
            else ['uefi']}
    if hypervisor:  # metal sizes have none
        info['Hypervisor'] = hypervisor
    return info


def _family(prefix, hypervisor, architecture, sizes, ena, nvme, burstable=False):
    return [_info(f'{prefix}.{size}', hypervisor, architecture, vcpus, memory, ena, nvme,
                  burstable=burstable) for size, vcpus, memory in sizes]


_T_SIZES = [('nano', 2, 0.5), ('micro', 2, 1), ('small', 2, 2), ('medium', 2, 4),
            ('large', 2, 8), ('xlarge', 4, 16), ('2xlarge', 8, 32)]
_M_SIZES = [('large', 2, 8), ('xlarge', 4, 16), ('2xlarge', 8, 32), ('4xlarge', 16, 64),
            ('8xlarge', 32, 128)]
_C_SIZES = [('large', 2, 4), ('xlarge', 4, 8)]
_R_SIZES = [('large', 2, 16), ('xlarge', 4, 32)]

INSTANCE_TYPES = {info['InstanceType']: info for info in [
    *_family('t3', 'nitro', 'x86_64', _T_SIZES, 'required', 'required', burstable=True),
    *_family('m5', 'nitro', 'x86_64', _M_SIZES, 'required', 'required'),
    *_family('m6i', 'nitro', 'x86_64', _M_SIZES, 'required', 'required'),
    *_family('c5', 'nitro', 'x86_64', _C_SIZES, 'required', 'required'),
    *_family('r5', 'nitro', 'x86_64', _R_SIZES, 'required', 'required'),
    *_family('t2', 'xen', 'x86_64', _T_SIZES[:-1], 'unsupported', 'unsupported',
             burstable=True),
    *_family('m4', 'xen', 'x86_64', _M_SIZES[:3], 'supported', 'unsupported'),
    *_family('c4', 'xen', 'x86_64', _C_SIZES, 'supported', 'unsupported'),
    *_family('r4', 'xen', 'x86_64', _R_SIZES, 'supported', 'unsupported'),
    # i3's instance store is NVMe, its EBS volumes are not: NvmeSupport is for EBS.
    *_family('i3', 'xen', 'x86_64', [('large', 2, 15.25)], 'supported', 'unsupported'),
    _info('i3.metal', None, 'x86_64', 72, 512, 'supported', 'required', bare_metal=True),
    *_family('t4g', 'nitro', 'arm64', _T_SIZES, 'required', 'required', burstable=True),
    *_family('m7g', 'nitro', 'arm64', _M_SIZES, 'required', 'required'),
]}
