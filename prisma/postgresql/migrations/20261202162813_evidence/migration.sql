-- CreateTable
CREATE TABLE "EvidenceFile" (
    "id" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    "unitId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "mediaType" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "uploadedBy" TEXT NOT NULL,
    "uploadedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EvidenceFile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EvidenceFile_workflowId_idx" ON "EvidenceFile"("workflowId");

-- CreateIndex
CREATE INDEX "EvidenceFile_sha256_idx" ON "EvidenceFile"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "EvidenceFile_workflowId_submittedAt_sha256_key" ON "EvidenceFile"("workflowId", "submittedAt", "sha256");

